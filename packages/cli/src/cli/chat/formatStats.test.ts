import type { ChatResult } from "llmstream";
import { describe, expect, it } from "vitest";
import { formatStats } from "./formatStats.js";

function result(overrides: {
  ttftMs?: number;
  tokensPerSecond?: number;
  e2eMs: number;
  tokens: number;
}): ChatResult {
  return {
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: "stop",
    usage: {
      promptTokens: 5,
      completionTokens: overrides.tokens,
      totalTokens: 5 + overrides.tokens,
      source: "server",
    },
    metrics: {
      startedAtEpochMs: 0,
      endAt: overrides.e2eMs,
      e2eMs: overrides.e2eMs,
      ...(overrides.ttftMs === undefined ? {} : { ttftMs: overrides.ttftMs }),
      ...(overrides.tokensPerSecond === undefined ? {} : { tokensPerSecond: overrides.tokensPerSecond }),
      chunks: 0,
      tokenChunks: 0,
      chunkGaps: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 },
      attempts: 1,
    },
    warnings: [],
  };
}

describe("formatStats", () => {
  it("prints the issue's example line", () => {
    expect(formatStats(result({ ttftMs: 141.6, tokensPerSecond: 41.24, e2eMs: 2310, tokens: 87 }))).toBe(
      "TTFT 142 ms · 87 tokens (server) · 41.2 tok/s · 2.31 s",
    );
  });

  it("shows a dash for figures that were never measured", () => {
    expect(formatStats(result({ e2eMs: 12, tokens: 1 }))).toBe(
      "TTFT – · 1 token (server) · – tok/s · 0.01 s",
    );
  });
});
