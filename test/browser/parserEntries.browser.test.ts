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
  // A user's project, where `llmstream` and `@llmstream/*` are this repository's packages (their
  // package.json, exports and dist/).
  project = mkdtempSync(join(tmpdir(), "llmstream-bundle-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(root, "packages", "llmstream"), join(project, "node_modules", "llmstream"));
  symlinkSync(join(root, "node_modules", "@llmstream"), join(project, "node_modules", "@llmstream"));
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

  it("the same check fails for an entry that needs Node (@llmstream/log), so it can tell", async () => {
    await expect(bundle(`export { openLogDatabase } from "@llmstream/log";`)).rejects.toThrow(
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
          entries: typeof import("llmstream/sse") & typeof import("llmstream/ndjson");
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

describe("the root entry in a browser bundle", () => {
  const CLIENT = `export { streamChat, createFetchTransport } from "llmstream";`;

  it("bundles for the browser platform with no Node built-in: #nodeTransport resolves to the stub", async () => {
    const { code, inputs } = await bundle(CLIENT);
    expect(code).not.toMatch(/\brequire\(|["']node:/);
    expect(inputs).toContain("client/noNodeTransport.js");
    expect(inputs).not.toContain("client/nodeTransport.js");
    expect(inputs).toContain("client/streamChat.js");
  });

  it("the same bundle for Node takes the node:http transport, so the condition is what decides", async () => {
    const result = await build({
      stdin: { contents: CLIENT, resolveDir: project, loader: "js" },
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).map((input) => input.replace(/^.*?dist\//, ""));
    expect(inputs).toContain("client/nodeTransport.js");
    expect(result.outputFiles[0]?.text).toMatch(/["']node:http["']/);
  });

  it("streams an answer in Chromium from the bundle, through the page's fetch", async () => {
    const { code } = await bundle(CLIENT);
    browser ??= await launchChromium();
    const page = await browser.newPage();
    await page.setContent("<!doctype html><title>client</title>");
    await page.addScriptTag({ content: code });
    const result = await page.evaluate(async () => {
      const { streamChat } = (window as unknown as { entries: typeof import("llmstream") }).entries;
      const frames = ["Hel", "lo", " there"].map(
        (text) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`,
      );
      frames.push(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
        "data: [DONE]\n\n",
      );
      // The page's own fetch, as a browser app's default transport uses it.
      window.fetch = async () =>
        new Response(
          new ReadableStream({
            start(controller) {
              for (const frame of frames) controller.enqueue(new TextEncoder().encode(frame));
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      const stream = streamChat({
        baseURL: "http://127.0.0.1:9/v1",
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        retry: 0,
      });
      const texts: string[] = [];
      for await (const event of stream) if (event.type === "text") texts.push(event.text);
      const final = await stream.result;
      return { texts, text: final.text, finishReason: final.finishReason };
    });
    expect(result).toEqual({ texts: ["Hel", "lo", " there"], text: "Hello there", finishReason: "stop" });
  });
});
