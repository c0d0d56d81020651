import type { ChatResult, FinishInfo, LlmstreamError, Protocol } from "llmstream";

/** What a test varies; everything else gets a plausible value. */
export interface FinishInfoSpec {
  model?: string;
  url?: string;
  protocol?: Protocol | "engine";
  startedAtEpochMs?: number;
  ttftMs?: number;
  e2eMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  usageSource?: ChatResult["usage"]["source"];
  text?: string;
  error?: LlmstreamError;
  responseModel?: string;
  tokenChunks?: number;
}

/**
 * A `FinishInfo` as the client reports it, built by hand: one token per chunk, evenly spaced after
 * the first token, so every derived figure is known exactly.
 */
export function makeFinishInfo(spec: FinishInfoSpec = {}): FinishInfo {
  const ttftMs = spec.ttftMs ?? 120;
  const completionTokens = spec.completionTokens ?? 11;
  const tokenChunks = spec.tokenChunks ?? completionTokens;
  const e2eMs = spec.e2eMs ?? 620;
  const lastTokenAt = e2eMs - 20;
  const decodeMs = lastTokenAt - ttftMs;
  const gap = tokenChunks > 1 ? decodeMs / (tokenChunks - 1) : 0;
  const promptTokens = spec.promptTokens ?? 25;
  const error = spec.error;
  const result: ChatResult = {
    text: spec.text ?? "Hello there, how can I help?",
    reasoning: "",
    toolCalls: [],
    finishReason: error === undefined ? "stop" : error.code === "aborted" ? "aborted" : "error",
    usage: {
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      source: spec.usageSource ?? "server",
    },
    metrics: {
      startedAtEpochMs: spec.startedAtEpochMs ?? Date.parse("2026-11-25T10:00:00.000Z"),
      responseHeadersAt: ttftMs - 30,
      firstChunkAt: ttftMs - 10,
      firstTokenAt: ttftMs,
      firstAnswerTokenAt: ttftMs,
      lastTokenAt,
      endAt: e2eMs,
      ttftMs,
      ttfatMs: ttftMs,
      e2eMs,
      ...(completionTokens > 1
        ? {
            tpotMs: decodeMs / (completionTokens - 1),
            tokensPerSecond: ((completionTokens - 1) / decodeMs) * 1000,
          }
        : {}),
      chunks: tokenChunks + 2,
      tokenChunks,
      meanTokensPerChunk: completionTokens / tokenChunks,
      chunkGaps: { p50: gap, p90: gap, p99: gap, max: gap, count: Math.max(0, tokenChunks - 1) },
      attempts: 1,
    },
    model: spec.responseModel ?? spec.model ?? "qwen3:0.6b",
    id: "chatcmpl-123",
    warnings: [],
  };
  if (error === undefined) result.rawFinishReason = "stop";
  return {
    result,
    ...(error === undefined ? {} : { error }),
    request: {
      url: spec.url ?? "http://127.0.0.1:11434/v1/chat/completions",
      protocol: spec.protocol ?? "openai",
      model: spec.model ?? "qwen3:0.6b",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
    },
  };
}
