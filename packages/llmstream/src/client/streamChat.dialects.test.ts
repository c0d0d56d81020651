import { MOCK_ANSWER_TOKENS } from "@llmstream/mock";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import type { StreamChatOptions } from "../types/options.js";
import { useMockChat } from "./mockChat.test-helper.js";

const ANSWER = MOCK_ANSWER_TOKENS.join("");

const mock = useMockChat();
const { chat } = mock;

async function collect(scenario: string, extra: Partial<StreamChatOptions> = {}) {
  const stream = chat(scenario, extra);
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return { events, result: await stream.result };
}

const textOf = (events: StreamEvent[], type: "text" | "reasoning" = "text") =>
  events.map((e) => (e.type === type ? e.text : "")).join("");

describe("OpenAI SSE dialect", () => {
  it("streams the answer, then usage and done, with server usage", async () => {
    const { events, result } = await collect("ok");
    expect(textOf(events)).toBe(ANSWER);
    expect(result.text).toBe(ANSWER);
    expect(result.finishReason).toBe("stop");
    expect(result.usage.source).toBe("server");
    expect(result.usage.completionTokens).toBe(MOCK_ANSWER_TOKENS.length);
    expect(events.at(-2)?.type).toBe("usage");
    expect(events.at(-1)?.type).toBe("done");
    const body = mock.server.requests.at(-1)?.body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it.each([
    "crlf",
    "cr",
    "bom",
    "split-bytes",
    "no-trailing-blank-line",
    "multiline-data",
    "event-fields",
    "no-done",
  ])("gives the same text under framing variant %s", async (scenario) => {
    const { result } = await collect(scenario);
    expect(result.text).toBe(ANSWER);
    expect(result.finishReason).toBe("stop");
  });

  it("keeps the role-only first chunk out of the tokens and metrics", async () => {
    const { result } = await collect("ok");
    expect(result.metrics.chunks).toBeGreaterThan(result.metrics.tokenChunks);
    expect(result.metrics.tokenChunks).toBe(MOCK_ANSWER_TOKENS.length);
    expect(result.metrics.ttftMs).toBeGreaterThanOrEqual(0);
    expect(result.metrics.firstChunkAt).toBeLessThanOrEqual(result.metrics.firstTokenAt ?? Number.NaN);
  });

  it("normalises llama.cpp timings into server timings", async () => {
    const { result } = await collect("llamacpp", { includeUsage: false });
    expect(result.serverTimings?.completionTokens).toBe(MOCK_ANSWER_TOKENS.length);
    expect(result.serverTimings?.completionMs).toBeGreaterThan(0);
    expect(result.serverTimings?.completionTokensPerSecond).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBe(MOCK_ANSWER_TOKENS.length);
  });

  it("handles several tokens per chunk (vLLM) without assuming one token per chunk", async () => {
    const { result } = await collect("vllm-multi-token");
    expect(result.text).toBe(ANSWER);
    expect(result.usage.completionTokens).toBe(MOCK_ANSWER_TOKENS.length);
    expect(result.metrics.tokenChunks).toBeLessThan(MOCK_ANSWER_TOKENS.length);
    expect(result.metrics.meanTokensPerChunk).toBeGreaterThan(1);
  });

  it("counts tokens from chunks when the server sends no usage", async () => {
    const { result } = await collect("no-usage", { includeUsage: false });
    expect(result.usage.source).toBe("chunks");
    expect(result.usage.completionTokens).toBe(MOCK_ANSWER_TOKENS.length);
  });

  it("retries once without stream_options when the server rejects it, and says so", async () => {
    const before = mock.server.requests.length;
    const { result } = await collect("reject-stream-options");
    expect(result.text).toBe(ANSWER);
    expect(mock.server.requests.length - before).toBe(2);
    expect(result.warnings.join("\n")).toMatch(/stream_options/);
    expect(result.usage.source).not.toBe("server");
  });

  it("accepts a server that ignores stream:true and answers one JSON completion", async () => {
    const { events, result } = await collect("non-stream-json");
    expect(result.text).toBe(ANSWER);
    expect(textOf(events)).toBe(ANSWER);
    expect(result.usage.source).toBe("server");
  });

  it("sends stream:false with stream: false and gets the same answer", async () => {
    const { result } = await collect("ok", { stream: false });
    expect(result.text).toBe(ANSWER);
    expect((mock.server.requests.at(-1)?.body as Record<string, unknown>).stream).toBe(false);
  });
});

describe("reasoning in all four shapes", () => {
  it.each(["reasoning-content", "reasoning"])("reads delta.%s as reasoning", async (scenario) => {
    const { events, result } = await collect(scenario);
    expect(result.reasoning.length).toBeGreaterThan(0);
    expect(textOf(events, "reasoning")).toBe(result.reasoning);
    expect(result.text).toBe(ANSWER);
    const firstText = events.findIndex((e) => e.type === "text");
    const lastReasoning = events.findLastIndex((e) => e.type === "reasoning");
    expect(lastReasoning).toBeLessThan(firstText);
    expect(result.metrics.ttfatMs).toBeGreaterThanOrEqual(result.metrics.ttftMs ?? Number.POSITIVE_INFINITY);
  });

  it("splits inline <think> tags that are split across chunks", async () => {
    const { events, result } = await collect("think-tags");
    expect(result.text).toBe(ANSWER);
    expect(result.reasoning.length).toBeGreaterThan(0);
    expect(result.text).not.toMatch(/think>/);
    expect(result.reasoning).not.toMatch(/think>/);
    expect(textOf(events)).toBe(result.text);
  });

  it("treats everything before </think> as reasoning in start-in-thinking mode", async () => {
    const { result } = await collect("think-no-open", { thinkTags: "start-in-thinking" });
    expect(result.text).toBe(ANSWER);
    expect(result.reasoning.length).toBeGreaterThan(0);
  });

  it("drops a stray closing tag and warns when reasoning was shown as text", async () => {
    const { result } = await collect("think-no-open");
    expect(result.text).not.toMatch(/<\/think>/);
    expect(result.text.endsWith(ANSWER)).toBe(true);
    expect(result.warnings.join("\n")).toMatch(/start-in-thinking/);
  });

  it("drops a stray closing tag after the answer", async () => {
    const { result } = await collect("stray-close");
    expect(result.text).not.toMatch(/<\/think>/);
  });

  it("reads Ollama native message.thinking", async () => {
    const { result } = await collect("ollama-thinking", {
      protocol: "ollama",
      baseURL: `${mock.server.url}/s/ollama-thinking`,
    });
    expect(result.reasoning.length).toBeGreaterThan(0);
    expect(result.text.length).toBeGreaterThan(0);
  });
});

describe("tool calls", () => {
  it("assembles argument fragments by index into whole calls", async () => {
    const { events, result } = await collect("tool-calls");
    expect(result.finishReason).toBe("tool_calls");
    expect(result.toolCalls.length).toBe(2);
    for (const call of result.toolCalls) {
      expect(call.id).not.toBe("");
      expect(call.name).not.toBe("");
      expect(() => JSON.parse(call.arguments)).not.toThrow();
    }
    expect(events.filter((e) => e.type === "tool_call")).toHaveLength(2);
  });

  it("replaces a leading '{}' placeholder with the streamed arguments", async () => {
    const { result } = await collect("tool-calls-args-object-start");
    expect(result.toolCalls.length).toBeGreaterThan(0);
    for (const call of result.toolCalls) expect(() => JSON.parse(call.arguments)).not.toThrow();
  });

  it("takes Ollama native whole tool calls", async () => {
    const { result } = await collect("ollama-tools", {
      protocol: "ollama",
      baseURL: `${mock.server.url}/s/ollama-tools`,
    });
    expect(result.toolCalls.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe("tool_calls");
    for (const call of result.toolCalls) expect(typeof JSON.parse(call.arguments)).toBe("object");
  });
});

describe("Ollama native NDJSON dialect", () => {
  it("streams text and reads nanosecond timings and eval counts", async () => {
    const { events, result } = await collect("ok", {
      protocol: "ollama",
      baseURL: `${mock.server.url}/s/ok`,
    });
    expect(textOf(events)).toBe(result.text);
    expect(result.text).toBe(ANSWER);
    expect(result.usage.source).toBe("server");
    expect(result.serverTimings?.completionMs).toBeGreaterThan(0);
    expect(mock.server.requests.at(-1)?.path).toMatch(/\/api\/chat$/);
  });

  it("reports Ollama's {error} message on HTTP 404", async () => {
    const stream = chat("http-404-ollama", {
      protocol: "ollama",
      baseURL: `${mock.server.url}/s/http-404-ollama`,
    });
    const error = await stream.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "http", status: 404 });
    expect((error as Error).message).toMatch(/not found/);
  });
});
