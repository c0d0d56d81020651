import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { FLOOD_ASCII_TOKENS, FLOOD_TOKENS, floodToken } from "./loadScenarios.js";
import { ndjson, rawRequest, sseChunks, sseData, sseDeltas } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const base = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true };

describe("load scenarios", () => {
  it("flood sends x-mock-chunks chunks, cycling through varied tokens, in large writes", async () => {
    const response = await rawRequest(`${mock.url}/s/flood/v1/chat/completions`, base, {
      "x-mock-chunks": "5000",
    });
    const text = response.body.toString();
    const contents = sseDeltas(text)
      .map((delta) => delta.content)
      .filter((content) => typeof content === "string" && content !== "");
    expect(contents).toEqual(Array.from({ length: 5000 }, (_, index) => floodToken(index)));
    // Escapes and multi-byte characters are part of the cycle.
    expect(FLOOD_TOKENS).toContain("\n");
    expect(FLOOD_TOKENS.some((token) => /[^\x00-\x7f]/.test(token))).toBe(true);
    expect(sseData(text).at(-1)).toBe("[DONE]");
    const record = mock.requests.at(-1)!;
    expect(record.writes).toBe(Math.ceil(response.body.byteLength / (256 * 1024)));
  });

  it("flood sends only ASCII tokens with x-mock-tokens: ascii", async () => {
    const response = await rawRequest(`${mock.url}/s/flood/v1/chat/completions`, base, {
      "x-mock-chunks": "100",
      "x-mock-tokens": "ascii",
    });
    expect(response.body.every((byte) => byte < 0x80)).toBe(true);
    const contents = sseDeltas(response.body.toString())
      .map((delta) => delta.content)
      .filter((content) => typeof content === "string" && content !== "");
    expect(contents).toEqual(Array.from({ length: 100 }, (_, index) => floodToken(index, true)));
    expect(FLOOD_ASCII_TOKENS.length).toBeGreaterThan(20);
  });

  it("flood takes the count from max_tokens, and speaks NDJSON on /api/chat", async () => {
    const openai = await rawRequest(`${mock.url}/s/flood/v1/chat/completions`, { ...base, max_tokens: 7 });
    expect(sseDeltas(openai.body.toString()).map((delta) => delta.content)).toEqual([
      "",
      ...Array.from({ length: 7 }, (_, index) => floodToken(index)),
      null,
    ]);
    const ollama = await rawRequest(`${mock.url}/s/flood/api/chat`, { ...base, options: { num_predict: 9 } });
    const lines = ndjson(ollama.body.toString());
    expect(lines).toHaveLength(10);
    expect(
      lines.slice(0, 9).map((line) => (line as { message: { content: string } }).message.content),
    ).toEqual(Array.from({ length: 9 }, (_, index) => floodToken(index)));
    expect(lines.at(-1)).toMatchObject({ done: true, eval_count: 9 });
  });

  it("paced sends one chunk per interval, each carrying its send time", async () => {
    const response = await fetch(`${mock.url}/s/paced/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(base),
      headers: { "x-mock-interval-ms": "20", "x-mock-chunks": "5" },
    });
    const decoder = new TextDecoder();
    const arrivals: { at: number; text: string }[] = [];
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const text = decoder.decode(read.value, { stream: true });
      arrivals.push({ at: performance.timeOrigin + performance.now(), text });
    }
    const stamps = sseDeltas(arrivals.map((arrival) => arrival.text).join(""))
      .map((delta) => delta.content)
      .filter((content): content is string => typeof content === "string" && content !== "")
      .map(Number);
    expect(stamps).toHaveLength(5);
    for (let index = 1; index < stamps.length; index++) {
      expect(stamps[index]! - stamps[index - 1]!).toBeGreaterThanOrEqual(18);
    }
    // Sent before it arrived, and not long before: the clocks are the same machine's.
    const lastArrival = arrivals.at(-1)!.at;
    expect(stamps.at(-1)!).toBeLessThanOrEqual(lastArrival);
    expect(lastArrival - stamps.at(-1)!).toBeLessThan(1000);
    expect(sseChunks(arrivals.map((arrival) => arrival.text).join("")).length).toBeGreaterThan(5);
  });
});
