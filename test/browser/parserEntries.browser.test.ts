import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/cliProcess.js";
import { launchChromium } from "./launchChromium.js";

// llmstream/sse and llmstream/ndjson are for any runtime. A user's bundler, set for the browser, must
// take them as they are: resolved by name through the package's `exports`, with no Node built-in to
// shim or mark external. The bundle then runs in Debian's Chromium.
const root = fileURLToPath(new URL("../../", import.meta.url));
let project: string;
let browser: Browser | undefined;

beforeAll(() => {
  ensureBuilt();
  // A user's project, where `llmstream` is this package (its package.json, exports and dist/).
  project = mkdtempSync(join(tmpdir(), "llmstream-bundle-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "llmstream"));
});

afterAll(async () => {
  await browser?.close();
});

/** Bundles `source` as a browser app would (esbuild, platform browser, nothing external). */
async function bundle(source: string) {
  const result = await build({
    stdin: { contents: source, resolveDir: project, loader: "js" },
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "entries",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return {
    code: result.outputFiles[0]?.text ?? "",
    // Paths under the package's dist/, as `exports` resolved them.
    inputs: Object.keys(result.metafile.inputs)
      .filter((input) => input !== "<stdin>")
      .map((input) => input.replace(/^.*?dist\//, "")),
  };
}

const ENTRIES = `export { createSseParser, SseParserStream, ProtocolError } from "llmstream/sse";
export { createNdjsonParser, NdjsonLineStream } from "llmstream/ndjson";`;

describe("llmstream/sse and llmstream/ndjson in a browser bundle", () => {
  it("bundle for the browser platform with no Node built-in, from the parser layers only", async () => {
    const { code, inputs } = await bundle(ENTRIES);
    expect(code).not.toMatch(/\brequire\(|["']node:/);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((input) => !/^(sse|ndjson|lines|json|errors|types|utils)\//.test(input))).toEqual(
      [],
    );
  });

  it("the same check fails for an entry that needs Node (llmstream/log), so it can tell", async () => {
    await expect(bundle(`export { openLogDatabase } from "llmstream/log";`)).rejects.toThrow(
      /Could not resolve "node:/,
    );
  });

  it("the bundle parses split SSE and NDJSON in Chromium", async () => {
    const { code } = await bundle(ENTRIES);
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.setContent("<!doctype html><title>parsers</title>");
    await page.addScriptTag({ content: code });
    const result = await page.evaluate(async () => {
      const { createSseParser, SseParserStream, createNdjsonParser, NdjsonLineStream, ProtocolError } = (
        window as unknown as {
          entries: typeof import("../../src/sse/index.js") & typeof import("../../src/ndjson/index.js");
        }
      ).entries;
      const events: string[] = [];
      const sse = createSseParser({ onEvent: (event) => events.push(`${event.event}:${event.data}`) });
      for (const chunk of ["\uFEFFevent: a\r", "\ndata: 1\r\n\r", "\ndata: 2\n", "data: 3\n\n"])
        sse.feed(chunk);
      const lines: string[] = [];
      const ndjson = createNdjsonParser({ onLine: (line) => lines.push(line) });
      ndjson.feed('{"n":1}\r\n{"n"');
      ndjson.feed(":2}");
      ndjson.end();
      const encoder = new TextEncoder();
      const body = (text: string) =>
        new ReadableStream<BufferSource>({
          start(controller) {
            const bytes = encoder.encode(text);
            controller.enqueue(bytes.slice(0, 7));
            controller.enqueue(bytes.slice(7));
            controller.close();
          },
        }).pipeThrough(new TextDecoderStream());
      const streamed: string[] = [];
      const sseReader = body("data: é😀\n\n").pipeThrough(new SseParserStream()).getReader();
      for (let read = await sseReader.read(); !read.done; read = await sseReader.read())
        streamed.push(read.value.data);
      const ndjsonReader = body('{"t":"é😀"}\n').pipeThrough(new NdjsonLineStream()).getReader();
      for (let read = await ndjsonReader.read(); !read.done; read = await ndjsonReader.read())
        streamed.push(read.value);
      let reason = "";
      try {
        createSseParser({ onEvent: () => {}, maxLineLength: 4 }).feed("data: too long\n");
      } catch (error) {
        if (error instanceof ProtocolError) reason = error.reason;
      }
      return { events, lines, streamed, reason };
    });
    expect(result).toEqual({
      events: ["a:1", "undefined:2\n3"],
      lines: ['{"n":1}', '{"n":2}'],
      streamed: ["é😀", '{"t":"é😀"}'],
      reason: "line-too-long",
    });
  }, 60_000);
});
