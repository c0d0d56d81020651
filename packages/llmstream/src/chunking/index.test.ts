import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../../../test/cli/cliProcess.js";
import { streamChat } from "../client/streamChat.js";
import type { StreamEvent } from "../types/events.js";
import { chunkEvents, chunkEventsIterable, smoothEventsIterable } from "./index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
let mock: MockServer;

beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const chat = () =>
  streamChat({ baseURL: `${mock.url}/v1`, model: "m", messages: [{ role: "user", content: "Hi" }] });
const texts = (events: StreamEvent[]) =>
  events.flatMap((event) => (event.type === "text" ? [event.text] : []));

describe("chunking on the core's stream", () => {
  it("pipes a real streamChat stream through chunkEvents: whole words, same text, done last", async () => {
    const events: StreamEvent[] = [];
    const words = chat()
      .toReadableStream()
      .pipeThrough(chunkEvents({ by: "word", maxDelayMs: 200 }));
    for await (const event of words) events.push(event);
    // The mock's tokens split the ZWJ emoji in two; whole words keep it in one piece.
    expect(texts(events)).toContain("👩\u200d💻 ");
    expect(texts(events).join("")).toBe(MOCK_ANSWER);
    expect(events.at(-1)).toMatchObject({ type: "done", text: MOCK_ANSWER });
  });

  it("composes the iterable forms: chunked, then paced (disabled off a terminal)", async () => {
    const events: StreamEvent[] = [];
    const chunked = chunkEventsIterable(chat(), { by: "sentence" });
    for await (const event of smoothEventsIterable(chunked, { enabled: false })) events.push(event);
    expect(texts(events)).toEqual([
      "Hello! ",
      "Meet me at the café at noon. ",
      "The coder 👩‍💻 says 你好 to everyone.",
    ]);
    expect(events.at(-1)).toMatchObject({ type: "done" });
  });
});

describe("the package's public entries", () => {
  it("llmstream/chunking and @llmstream/render resolve from the built package", () => {
    ensureBuilt();
    const script = [
      'const c = await import("llmstream/chunking");',
      'const r = await import("@llmstream/render");',
      'const words = c.createChunker({ by: "word" });',
      'const out = [...words.push("Hello wor"), ...words.push("ld!"), ...words.flush()];',
      'console.log(JSON.stringify({ out, render: r.renderMarkdown("# Hi", { columns: 20, color: false }) }));',
    ].join("\n");
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual({ out: ["Hello ", "world!"], render: "# Hi\n" });
  });
});
