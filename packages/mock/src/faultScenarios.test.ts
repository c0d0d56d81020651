import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { rawRequest, sseChunks, sseContent, sseData } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
  // The first fetch of a process loads undici; keep that cost out of the timing tests.
  await (await fetch(`${mock.baseURL}/models`)).text();
});
afterAll(() => mock.close());

const base = { model: "llama3", messages: [{ role: "user", content: "hi" }], stream: true };
const openai = (
  scenario: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) => rawRequest(`${mock.url}/s/${scenario}/v1/chat/completions`, { ...base, ...extra }, headers);
const ollama = (scenario: string) => rawRequest(`${mock.url}/s/${scenario}/api/chat`, base);
const finishReasons = (text: string) =>
  sseChunks(text).flatMap((chunk) =>
    (chunk.choices as { finish_reason: string | null }[]).map((c) => c.finish_reason),
  );
const firstFive = MOCK_ANSWER_TOKENS.slice(0, 5).join("");

/** Streams with fetch and notes when each piece arrived, relative to the request start. */
async function timedRead(scenario: string, headers: Record<string, string>, stopAfterMs: number) {
  const controller = new AbortController();
  const started = performance.now();
  const response = await fetch(`${mock.url}/s/${scenario}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify(base),
    headers,
    signal: controller.signal,
  });
  const headersAt = performance.now() - started;
  const pieces: { at: number; text: string }[] = [];
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  const timer = setTimeout(() => controller.abort(), stopAfterMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pieces.push({ at: performance.now() - started, text: decoder.decode(value, { stream: true }) });
    }
  } catch {
    // the abort above ends the read loop on purpose
  } finally {
    clearTimeout(timer);
  }
  return { headersAt, pieces, text: pieces.map((piece) => piece.text).join("") };
}

describe("stream endings", () => {
  it("no-done sends the finish reason, then ends without [DONE]", async () => {
    const response = await openai("no-done");
    const text = response.body.toString();
    expect(response.error).toBeUndefined();
    expect(finishReasons(text)).toContain("stop");
    expect(text).not.toContain("[DONE]");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("truncated ends cleanly after some content, with no finish reason and no [DONE]", async () => {
    const response = await openai("truncated");
    expect(response.error).toBeUndefined();
    expect(sseContent(response.body.toString())).toBe(firstFive);
    expect(finishReasons(response.body.toString()).every((reason) => reason === null)).toBe(true);
    expect(response.body.toString()).not.toContain("[DONE]");
  });

  it("reset destroys the socket mid-stream", async () => {
    const response = await openai("reset");
    expect(response.error).toBeDefined();
    expect(response.status).toBe(200);
    expect(sseContent(response.body.toString())).toBe(firstFive);
  });

  it("error-object sends an error payload mid-stream", async () => {
    const text = (await openai("error-object")).body.toString();
    expect(sseContent(text.slice(0, text.lastIndexOf('data: {"error"')))).toBe(firstFive);
    expect(JSON.parse(sseData(text).at(-1) ?? "")).toMatchObject({ error: { type: "server_error" } });
  });

  it("event-error sends an event: error block", async () => {
    const text = (await openai("event-error")).body.toString();
    expect(text).toMatch(/\n\nevent: error\ndata: \{"error":\{"message":".+","type":"server_error"\}\}\n\n$/);
  });

  it("invalid-json sends a data line that is not JSON, on both APIs", async () => {
    expect((await openai("invalid-json")).body.toString()).toContain("\n\ndata: {not json\n\n");
    expect((await ollama("invalid-json")).body.toString()).toMatch(/\n\{not json\n$/);
  });
});

describe("HTTP failures", () => {
  it("http-500-json answers in each API's error shape", async () => {
    const fromOpenAi = await openai("http-500-json");
    expect(fromOpenAi.status).toBe(500);
    expect(JSON.parse(fromOpenAi.body.toString())).toMatchObject({
      error: { message: "Internal server error" },
    });
    expect(JSON.parse((await ollama("http-500-json")).body.toString())).toEqual({
      error: "Internal server error",
    });
  });

  it("http-404-ollama names the requested model", async () => {
    const response = await ollama("http-404-ollama");
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toEqual({
      error: 'model "llama3" not found, try pulling it first',
    });
  });

  it("http-502-html is an nginx page", async () => {
    const response = await openai("http-502-html");
    expect(response.status).toBe(502);
    expect(response.headers["content-type"]).toBe("text/html");
    expect(response.body.toString()).toContain("<title>502 Bad Gateway</title>");
  });

  it("http-503-once fails the first request only", async () => {
    const server = await createMockServer();
    const url = `${server.url}/s/http-503-once/v1/chat/completions`;
    expect((await rawRequest(url, base)).status).toBe(503);
    expect(sseContent((await rawRequest(url, base)).body.toString())).toBe(MOCK_ANSWER);
    await server.close();
  });

  it("reset-before-headers-once drops the first connection before any byte", async () => {
    const server = await createMockServer();
    const url = `${server.url}/s/reset-before-headers-once/v1/chat/completions`;
    const dropped = await rawRequest(url, base);
    expect(dropped.status).toBeUndefined();
    expect(dropped.error).toBeDefined();
    expect(server.requests[0]?.status).toBeUndefined();
    expect((await rawRequest(url, base)).status).toBe(200);
    await server.close();
  });

  it("non-stream-json ignores stream:true", async () => {
    const response = await openai("non-stream-json");
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body.toString())).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: MOCK_ANSWER } }],
    });
  });

  it("wrong-content-type answers text/plain", async () => {
    const response = await openai("wrong-content-type");
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.body.toString()).toBe("hello");
  });
});

describe("timing faults", () => {
  it("slow-first-token sends headers at once, pings every 50 ms, and the first token after the delay", async () => {
    const { headersAt, pieces, text } = await timedRead(
      "slow-first-token",
      { "x-mock-delay-ms": "300" },
      2000,
    );
    const firstToken = pieces.find((piece) => piece.text.includes('"content":"Hello"'));
    expect(firstToken?.at).toBeGreaterThanOrEqual(290);
    expect(headersAt).toBeLessThan((firstToken?.at ?? 0) - 150);
    const pingsBefore = pieces.filter(
      (piece) => piece.at < (firstToken?.at ?? 0) && piece.text.includes(": ping"),
    );
    expect(pingsBefore.length).toBeGreaterThanOrEqual(3);
    expect(sseContent(text)).toBe(MOCK_ANSWER);
  });

  it("stall sends a few tokens, then only keep-alives until the client leaves", async () => {
    const { text } = await timedRead("stall", {}, 300);
    expect(sseContent(text)).toBe(firstFive);
    expect(text.slice(text.lastIndexOf('"content"')).match(/: ping/g)?.length).toBeGreaterThanOrEqual(3);
    const record = await mock.waitForClose(mock.requests.length - 1);
    expect(record.clientClosedEarly).toBe(true);
  });

  it("slow spaces tokens by x-mock-interval-ms", async () => {
    const started = performance.now();
    const response = await openai("slow", { "x-mock-interval-ms": "15" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(15 * (MOCK_ANSWER_TOKENS.length - 1) - 5);
    expect(sseContent(response.body.toString())).toBe(MOCK_ANSWER);
  });

  it("huge-line sends one 16 MiB line without a terminator, in 64 KiB writes", async () => {
    const controller = new AbortController();
    const response = await fetch(`${mock.url}/s/huge-line/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(base),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = 0;
    let newlinesAfterPrefix = 0;
    let prefixSeen = false;
    while (received < 16 * 1024 * 1024 + 200) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (prefixSeen) newlinesAfterPrefix += value.filter((byte) => byte === 0x0a).length;
      prefixSeen ||= received > 1000;
    }
    controller.abort();
    expect(received).toBeGreaterThan(16 * 1024 * 1024);
    expect(newlinesAfterPrefix).toBe(0);
    const record = await mock.waitForClose(mock.requests.length - 1);
    expect(record.clientClosedEarly).toBe(true);
    expect(record.writes).toBeGreaterThanOrEqual(256);
  });
});
