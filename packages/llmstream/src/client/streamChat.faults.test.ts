import http from "node:http";
import type { AddressInfo } from "node:net";
import { createMockServer, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import { afterEach, describe, expect, it } from "vitest";
import { isLlmstreamError, type LlmstreamError } from "../errors/LlmstreamError.js";
import type { ServerError } from "../errors/ServerError.js";
import type { StreamEvent } from "../types/events.js";
import type { FinishInfo, StreamChatOptions } from "../types/options.js";
import { useMockChat } from "./mockChat.test-helper.js";
import { streamChat } from "./streamChat.js";

const ANSWER = MOCK_ANSWER_TOKENS.join("");
const extraServers: MockServer[] = [];

const mock = useMockChat();
const { chat } = mock;
afterEach(async () => {
  await Promise.all(extraServers.splice(0).map((s) => s.close()));
});

async function failure(
  scenario: string,
  extra: Partial<StreamChatOptions> = {},
  target: MockServer = mock.server,
) {
  const stream = chat(scenario, extra, target);
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const error = await stream.result.then(
    () => undefined,
    (e: unknown) => e as LlmstreamError,
  );
  expect(isLlmstreamError(error)).toBe(true);
  const last = events.at(-1);
  expect(last?.type).toBe("error");
  const text = events.map((e) => (e.type === "text" ? e.text : "")).join("");
  expect(error?.partial?.text).toBe(text);
  expect(error?.partial?.finishReason).toBe("error");
  return { error: error as LlmstreamError, events, text };
}

describe("faults become typed errors that keep the partial text", () => {
  it("truncated: content then the connection ends with no finish", async () => {
    const { error, text } = await failure("truncated");
    expect(error.code).toBe("truncated");
    expect(text.length).toBeGreaterThan(0);
    expect(error.message).toMatch(/ended before the server said it was finished/);
  });

  it("reset mid-stream is a connection error with the partial text", async () => {
    const { error, text } = await failure("reset");
    expect(error.code).toBe("connection");
    expect(text.length).toBeGreaterThan(0);
  });

  it.each([
    "error-object",
    "event-error",
  ])("%s mid-stream is a server error with its message", async (scenario) => {
    const { error } = await failure(scenario);
    expect(error.code).toBe("server");
    expect(error.serverMessage).toBeTruthy();
    // The error object's own code (the mock's `error-object` sends `code: null`, so none).
    expect((error as ServerError).serverCode).toBeUndefined();
  });

  it("HTTP 500 with a JSON error carries status and the server's message", async () => {
    const { error } = await failure("http-500-json");
    expect(error.code).toBe("http");
    expect(error.status).toBe(500);
    expect(error.serverMessage).toBeTruthy();
    expect(error.message).toContain(error.serverMessage);
  });

  it("HTTP 502 with an HTML page reports the page title", async () => {
    const { error } = await failure("http-502-html");
    expect(error.status).toBe(502);
    expect(error.serverMessage).toMatch(/502/);
    expect(error.serverMessage).not.toMatch(/</);
  });

  it("invalid JSON in a data line is a protocol error, never a SyntaxError", async () => {
    const { error } = await failure("invalid-json");
    expect(error.code).toBe("protocol");
    expect(error.name).toBe("ProtocolError");
  });

  it("a text/plain answer is a protocol error that says what came back", async () => {
    const { error } = await failure("wrong-content-type");
    expect(error.code).toBe("protocol");
    expect(error.message).toMatch(/text\/plain/);
  });

  it("a line over the limit is a protocol error, and the client stays usable", async () => {
    const { error } = await failure("huge-line", { maxLineLength: 1024 * 1024 });
    expect(error.code).toBe("protocol");
    expect(error.message).toMatch(/maxLineLength/);
    const again = await chat("ok").result;
    expect(again.text).toBe(ANSWER);
  });

  it("connection refused names the address and suggests what to start", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const stream = streamChat({ baseURL: `http://127.0.0.1:${port}/v1`, model: "m", messages: [], retry: 0 });
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(error?.code).toBe("connection");
    expect(error?.message).toMatch(/connection refused/);
    expect(error?.message).toContain(`127.0.0.1:${port}`);
  });

  it("https:// to a plain HTTP server says to use http://", async () => {
    const stream = streamChat({
      baseURL: mock.server.baseURL.replace("http:", "https:"),
      model: "m",
      messages: [],
      retry: 0,
    });
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(error?.code).toBe("connection");
    expect(error?.message).toMatch(/TLS handshake failed.*http:\/\//);
  });

  it("an unreachable Ollama port suggests starting Ollama", async () => {
    // Nothing listens on the loopback Ollama port in tests; if something does, the message is still checked.
    const stream = streamChat({ baseURL: "http://127.0.0.1:11434/v1", model: "m", messages: [], retry: 0 });
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    if (error?.code === "connection") expect(error.message).toMatch(/ollama serve/);
  });
});

describe("retries happen only before the first token", () => {
  it("retries 429 honouring Retry-After, and the text is not duplicated", async () => {
    const fresh = await createMockServer();
    extraServers.push(fresh);
    const started = performance.now();
    const result = await chat("http-429", { retry: { retries: 2, baseDelayMs: 10 } }, fresh).result;
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.text).toBe(ANSWER);
    expect(result.metrics.attempts).toBe(2);
    expect(fresh.requests).toHaveLength(2);
  });

  it("retries a 503 and a reset before headers", async () => {
    const fresh = await createMockServer();
    extraServers.push(fresh);
    const a = await chat("http-503-once", { retry: { retries: 1, baseDelayMs: 5 } }, fresh).result;
    expect(a.text).toBe(ANSWER);
    expect(a.metrics.attempts).toBe(2);
    // A new server, so the reset hits a new connection (a reset on a reused kept-alive socket is
    // resent by the transport itself, without counting as an attempt).
    const other = await createMockServer();
    extraServers.push(other);
    const b = await chat("reset-before-headers-once", { retry: { retries: 1, baseDelayMs: 5 } }, other)
      .result;
    expect(b.text).toBe(ANSWER);
    expect(b.metrics.attempts).toBe(2);
  });

  it("never retries after a token was delivered", async () => {
    const fresh = await createMockServer();
    extraServers.push(fresh);
    const { error, text } = await failure("reset", { retry: { retries: 3, baseDelayMs: 1 } }, fresh);
    expect(error.code).toBe("connection");
    expect(text.length).toBeGreaterThan(0);
    expect(fresh.requests).toHaveLength(1);
  });

  it("does not retry a 500", async () => {
    const fresh = await createMockServer();
    extraServers.push(fresh);
    await failure("http-500-json", { retry: { retries: 3, baseDelayMs: 1 } }, fresh);
    expect(fresh.requests).toHaveLength(1);
  });

  it("gives up after the retry budget with the last error", async () => {
    const stream = streamChat({
      baseURL: "http://127.0.0.1:9/v1",
      model: "m",
      messages: [],
      retry: { retries: 2, baseDelayMs: 1 },
    });
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(error?.code).toBe("connection");
    expect(error?.partial?.metrics.attempts).toBe(3);
  });
});

describe("the onFinish hook sees every request", () => {
  it("is called once for success, error and abort", async () => {
    const seen: FinishInfo[] = [];
    const onFinish = (info: FinishInfo) => seen.push(info);
    await chat("ok", { onFinish }).result;
    await chat("truncated", { onFinish }).result.then(
      () => {},
      () => {},
    );
    const aborted = chat("slow", { onFinish });
    for await (const event of aborted) if (event.type === "text") break;
    await aborted;
    expect(seen.map((s) => s.error?.code ?? s.result.finishReason)).toEqual(["stop", "truncated", "aborted"]);
    expect(seen[0]?.request.model).toBe("mock-model");
    expect(seen[1]?.result.text.length).toBeGreaterThan(0);
  });

  it("a throwing hook does not break the stream", async () => {
    const result = await chat("ok", {
      onFinish: () => {
        throw new Error("sink exploded");
      },
    }).result;
    expect(result.text).toBe(ANSWER);
  });
});
