import { MOCK_ANSWER, MOCK_ANSWER_TOKENS, type ScenarioContext } from "@llmstream/mock";
import { describe, expect, it } from "vitest";
import { responsesStream } from "../../../mock/src/responsesStream.js";
import type { LlmstreamError } from "../errors/LlmstreamError.js";
import type { StreamEvent } from "../types/events.js";
import type { StreamChatOptions } from "../types/options.js";
import { useMockChat } from "./mockChat.test-helper.js";
import { streamChat } from "./streamChat.js";

// protocol "responses" against every Responses scenario of the mock, in each server's flavor.
const mock = useMockChat();
const FIRST_FIVE = MOCK_ANSWER_TOKENS.slice(0, 5).join("");
const FLAVORS = ["openai", "ollama", "vllm", "llamacpp"] as const;

const responses = (scenario: string, extra: Partial<StreamChatOptions> = {}, flavor = "openai") =>
  mock.chat(scenario, {
    protocol: "responses",
    ...extra,
    headers: { "x-mock-flavor": flavor, ...extra.headers },
  });

async function collect(scenario: string, extra: Partial<StreamChatOptions> = {}, flavor = "openai") {
  const stream = responses(scenario, extra, flavor);
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const outcome = await stream.result.then(
    (result) => ({ result, error: undefined }),
    (error: LlmstreamError) => ({ result: undefined, error }),
  );
  const text = events.map((event) => (event.type === "text" ? event.text : "")).join("");
  const reasoning = events.map((event) => (event.type === "reasoning" ? event.text : "")).join("");
  return { events, text, reasoning, ...outcome };
}

describe('streamChat({ protocol: "responses" }) against the mock', () => {
  it("posts to /responses with input items, instructions and max_output_tokens, and warns about stop", async () => {
    const index = mock.server.requests.length;
    const { result } = await collect("ok", {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
      maxTokens: 100,
      temperature: 0.5,
      stop: "\n",
    });
    const request = mock.server.requests[index];
    expect(request?.path).toBe("/s/ok/v1/responses");
    expect(request?.body).toEqual({
      model: "mock-model",
      input: [{ role: "user", content: "Say hello" }],
      instructions: "Be brief.",
      stream: true,
      store: false,
      max_output_tokens: 100,
      temperature: 0.5,
    });
    expect(result?.warnings).toEqual(["The Responses API has no stop sequences: stop was not sent"]);
  });

  for (const flavor of FLAVORS) {
    it(`ok (${flavor}): the answer, server usage, one token per delta, TTFT from the first delta`, async () => {
      const { events, text, result } = await collect("ok", {}, flavor);
      expect(text).toBe(MOCK_ANSWER);
      expect(result?.text).toBe(MOCK_ANSWER);
      expect(result?.finishReason).toBe("stop");
      expect(result?.usage).toMatchObject({ promptTokens: 2, completionTokens: 20, source: "server" });
      expect(result?.id).toMatch(/^resp_mock_/);
      expect(result?.metrics.tokenChunks).toBe(20);
      // response.created/in_progress and the item events are chunks but not tokens.
      expect(result?.metrics.chunks).toBeGreaterThan(20);
      expect(result?.metrics.firstTokenAt).toBeGreaterThanOrEqual(result?.metrics.firstChunkAt ?? Infinity);
      expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "stop" });
      if (flavor === "llamacpp") expect(result?.serverTimings?.completionTokens).toBe(20);
    });

    it(`reasoning (${flavor}): reasoning events before the text, reasoning tokens only when real`, async () => {
      const { reasoning, text, result } = await collect("reasoning", {}, flavor);
      expect(reasoning).toBe("The user wants a greeting.");
      expect(text).toBe(MOCK_ANSWER);
      expect(result?.metrics.tokenChunks).toBe(26);
      // Ollama reports reasoning_tokens: 0 after reasoning; that zero is not passed on.
      if (flavor === "openai" || flavor === "vllm") expect(result?.usage.reasoningTokens).toBe(6);
      else expect(result?.usage.reasoningTokens).toBeUndefined();
    });

    it(`tool-calls (${flavor}): both calls assembled with their ids, finish reason tool_calls`, async () => {
      const { result } = await collect("tool-calls", {}, flavor);
      expect(result?.finishReason).toBe("tool_calls");
      expect(result?.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
        { name: "get_weather", args: '{"city": "Paris"}' },
        { name: "get_time", args: '{"timezone": "Europe/Paris"}' },
      ]);
      expect(result?.toolCalls[0]?.id).toBe(flavor === "llamacpp" ? "fc_mock_0" : "call_mock_0");
    });
  }

  it("no-usage: usage null in the completed response falls back to counting chunks", async () => {
    const { result } = await collect("no-usage");
    expect(result?.text).toBe(MOCK_ANSWER);
    expect(result?.usage).toMatchObject({ completionTokens: 20, source: "chunks" });
  });

  it("think-tags: inline <think> in output_text is split into reasoning as for the other dialects", async () => {
    const { reasoning, text } = await collect("think-tags");
    expect(reasoning).toBe("The user wants a greeting.");
    expect(text.trim()).toBe(MOCK_ANSWER);
  });

  it("incomplete: finish reason length from response.incomplete (OpenAI) and completed+incomplete (vLLM)", async () => {
    for (const flavor of ["openai", "vllm"]) {
      const { text, result } = await collect("incomplete", {}, flavor);
      expect(text).toBe(FIRST_FIVE);
      expect(result?.finishReason).toBe("length");
      expect(result?.rawFinishReason).toBe("max_output_tokens");
    }
    const limited = await collect("ok", { maxTokens: 3 });
    expect(limited.result?.finishReason).toBe("length");
    expect(limited.text).toBe(MOCK_ANSWER_TOKENS.slice(0, 3).join(""));
  });

  it("failed: response.failed is a server error with its message and the partial text", async () => {
    const { error, text, events } = await collect("failed");
    expect(error?.code).toBe("server");
    expect(error?.serverMessage).toMatch(/server had an error/);
    expect(error?.partial?.text).toBe(FIRST_FIVE);
    expect(text).toBe(FIRST_FIVE);
    expect(events.at(-1)?.type).toBe("error");
  });

  it("an in-band error event is a server error", async () => {
    const { error } = await collect("event-error");
    expect(error?.code).toBe("server");
    expect(error?.serverMessage).toMatch(/server had an error/);
  });

  for (const flavor of FLAVORS) {
    it(`truncated (${flavor}): a body without a terminal event is a truncated error, never a clean end`, async () => {
      const { error, text } = await collect("truncated", {}, flavor);
      expect(error?.code).toBe("truncated");
      expect(error?.partial?.text).toBe(FIRST_FIVE);
      expect(text).toBe(FIRST_FIVE);
    });
  }

  it("reset mid-stream is a connection error with the partial text, and the request is not sent again", async () => {
    await collect("ok"); // leaves a kept-alive socket for the next request to reuse
    const before = mock.server.requests.length;
    const { error } = await collect("reset");
    expect(error?.code).toBe("connection");
    expect(error?.partial?.text).toBe(FIRST_FIVE);
    // A reset after the response arrived is not the stale keep-alive race: no second POST.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(mock.server.requests.slice(before).map((record) => record.scenario)).toEqual(["reset"]);
  });

  it("stall: the idle timeout fires despite keep-alive pings, and the socket is closed", async () => {
    const index = mock.server.requests.length;
    const { error } = await collect("stall", { timeouts: { idleMs: 150 } });
    expect(error?.code).toBe("timeout");
    expect(error?.partial?.text).toBe(FIRST_FIVE);
    const record = await mock.server.waitForClose(index, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
  });

  it("slow: deltas arrive spaced out and the metrics see the gaps", async () => {
    const { text, result } = await collect("slow", { headers: { "x-mock-interval-ms": "15" } });
    expect(text).toBe(MOCK_ANSWER);
    expect(result?.metrics.chunkGaps.p50).toBeGreaterThanOrEqual(10);
    expect(result?.metrics.tpotMs).toBeGreaterThanOrEqual(10);
  });

  it("slow-first-token: TTFT waits for the first delta, not for response.created", async () => {
    const { result } = await collect("slow-first-token", { headers: { "x-mock-delay-ms": "200" } });
    expect(result?.metrics.ttftMs).toBeGreaterThanOrEqual(190);
  });

  it("response.created is a chunk, not a token: TTFT waits for the first delta after it", async () => {
    // created and in_progress at once, then 150 ms until the first text delta.
    mock.server.enqueue((context: ScenarioContext) => {
      const response = responsesStream(context);
      const [created, inProgress, ...rest] = response.steps;
      return {
        ...response,
        steps: [created, inProgress, { delay: 150 }, ...rest].filter((step) => step !== undefined),
      };
    });
    const stream = streamChat({
      baseURL: mock.server.baseURL,
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      protocol: "responses",
      retry: 0,
    });
    const { metrics, text } = await stream.result;
    expect(text).toBe(MOCK_ANSWER);
    expect(metrics.firstChunkAt).toBeLessThan(100);
    expect(metrics.ttftMs).toBeGreaterThanOrEqual(140);
    // Were response.created the first token, the two would be equal; the margin absorbs a created
    // chunk read late on a busy machine.
    expect((metrics.ttftMs ?? 0) - (metrics.firstChunkAt ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it("stream: false reads the response object; non-stream-json too when a stream was asked for", async () => {
    const plain = await collect("ok", { stream: false });
    expect(plain.text).toBe(MOCK_ANSWER);
    expect(plain.result?.usage).toMatchObject({ completionTokens: 20, source: "server" });
    expect(plain.result?.finishReason).toBe("stop");
    const ignored = await collect("non-stream-json");
    expect(ignored.text).toBe(MOCK_ANSWER);
    const reasoning = await collect("reasoning", { stream: false }, "vllm");
    expect(reasoning.reasoning).toBe("The user wants a greeting.");
    const limited = await collect("ok", { stream: false, maxTokens: 4 });
    expect(limited.result?.finishReason).toBe("length");
  });

  it("break out of for await: the mock sees the socket close", async () => {
    const stream = responses("slow", { headers: { "x-mock-interval-ms": "30" } });
    const index = mock.server.requests.length;
    let received = "";
    for await (const event of stream) {
      if (event.type === "text") received += event.text;
      if (received.length > 5) break;
    }
    const record = await mock.server.waitForClose(index, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe(received);
  });

  it("an AbortSignal mid-stream closes the socket and ends with done(aborted)", async () => {
    const controller = new AbortController();
    const stream = responses("slow", { signal: controller.signal, headers: { "x-mock-interval-ms": "30" } });
    const index = mock.server.requests.length;
    const events: StreamEvent[] = [];
    await stream.forEach((event) => {
      events.push(event);
      if (event.type === "text") controller.abort();
    });
    expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "aborted" });
    const record = await mock.server.waitForClose(index, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
  });

  it("HTTP errors and retries work as for the other dialects", async () => {
    const failed = await collect("http-500-json");
    expect(failed.error).toMatchObject({ code: "http", status: 500 });
    const missing = await collect("ok", { baseURL: `${mock.server.url}/s/ok/v2` });
    expect(missing.error).toMatchObject({ code: "http", status: 404 });
    expect(missing.error?.message).toMatch(/has \/v1\/responses \(else use protocol: "openai"\)/);
    const retried = await collect("http-503-once", { retry: { retries: 1, baseDelayMs: 1 } });
    expect(retried.text).toBe(MOCK_ANSWER);
    expect(retried.result?.metrics.attempts).toBe(2);
  });
});
