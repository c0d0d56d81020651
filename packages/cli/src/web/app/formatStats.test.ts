import type { StreamMetrics } from "llmstream";
import { describe, expect, it } from "vitest";
import { formatStats } from "./formatStats.js";

const metrics: StreamMetrics = {
  startedAtEpochMs: 0,
  endAt: 612,
  ttftMs: 123.4,
  e2eMs: 612,
  tokensPerSecond: 85.25,
  chunks: 44,
  tokenChunks: 42,
  chunkGaps: { p50: 1, p90: 2, p99: 3, max: 4, count: 41 },
  attempts: 1,
};

describe("formatStats", () => {
  it("shows TTFT, tokens with their source, rate and total time", () => {
    const usage = { promptTokens: 5, completionTokens: 42, totalTokens: 47, source: "server" as const };
    expect(formatStats({ result: { usage, metrics, finishReason: "stop" } })).toEqual([
      "TTFT 123 ms",
      "42 tokens (from the server)",
      "85.3 tok/s",
      "612 ms total",
    ]);
  });

  it("adds server timings when present and says when the answer was stopped", () => {
    const usage = { promptTokens: 5, completionTokens: 3, totalTokens: 8, source: "estimate" as const };
    const parts = formatStats({
      result: {
        usage,
        metrics: { ...metrics, e2eMs: 12_345 },
        finishReason: "aborted",
        serverTimings: { promptMs: 12, completionTokensPerSecond: 250 },
      },
    });
    expect(parts).toEqual([
      "TTFT 123 ms",
      "3 tokens (estimated)",
      "85.3 tok/s",
      "12.3 s total",
      "server: prompt 12 ms, 250 tok/s",
      "stopped",
    ]);
  });

  it("shows live counts while streaming", () => {
    expect(formatStats({ liveElapsedMs: 40 })).toEqual(["waiting for the first token…", "40 ms elapsed"]);
    expect(formatStats({ liveTtftMs: 80, liveChunks: 7, liveElapsedMs: 300 })).toEqual([
      "TTFT 80 ms",
      "7 chunks so far",
      "300 ms elapsed",
    ]);
  });
});
