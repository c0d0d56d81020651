import { describe, expect, it } from "vitest";
import type { BenchRecord } from "./BenchRecord.js";
import { peakConcurrency, peakTokensInOneSecond, summarizeLevel } from "./summarizeLevel.js";

/** A successful request: first token at `ttft`, then `tokens − 1` one-token chunks every `gap` ms. */
function request(index: number, sentAt: number, ttft: number, gap: number, tokens: number): BenchRecord {
  const chunkTimes = Array.from({ length: tokens }, (_, i) => sentAt + ttft + i * gap);
  return {
    index,
    prompt: 0,
    sentAt,
    firstChunkAt: sentAt + 1,
    firstTokenAt: sentAt + ttft,
    firstAnswerTokenAt: sentAt + ttft,
    endAt: (chunkTimes.at(-1) as number) + 0,
    chunkTimes,
    chunkTokens: chunkTimes.map(() => 1),
    chunkTokenSource: "exact",
    outputTokens: tokens,
    promptTokens: 10,
    usageSource: "server",
    ok: true,
  };
}

describe("summarizeLevel", () => {
  it("computes TTFT, TPOT, inter-chunk and inter-token latency exactly for a known schedule", () => {
    const records = [request(0, 0, 200, 10, 11), request(1, 0, 220, 10, 11)];
    const stats = summarizeLevel(records);
    expect(stats.completed).toBe(2);
    expect(stats.ttft?.p50).toBe(210);
    expect(stats.ttfc?.mean).toBe(1);
    expect(stats.tpot?.mean).toBe(10);
    expect(stats.interChunk).toMatchObject({ count: 20, p50: 10, max: 10 });
    expect(stats.interToken).toMatchObject({ count: 20, p50: 10 });
    expect(stats.e2el?.max).toBe(320);
    expect(stats.durationS).toBeCloseTo(0.32, 10);
    expect(stats.totalOutputTokens).toBe(22);
    expect(stats.outputThroughput).toBeCloseTo(22 / 0.32, 6);
    expect(stats.maxConcurrentRequests).toBe(2);
  });

  it("keeps inter-chunk and inter-token latency apart when chunks carry several tokens", () => {
    const r = request(0, 0, 100, 30, 3);
    r.chunkTokens = [3, 3, 3];
    r.outputTokens = 9;
    const stats = summarizeLevel([r]);
    expect(stats.interChunk).toMatchObject({ count: 2, p50: 30 });
    expect(stats.interToken).toMatchObject({ count: 6, p50: 10 });
    expect(stats.tokensPerChunk?.mean).toBe(3);
    expect(stats.tpot?.mean).toBe(60 / 8);
  });

  it("counts failed requests by class and never their tokens", () => {
    const bad: BenchRecord = { ...request(1, 0, 100, 10, 50), ok: false, errorClass: "in_stream" };
    const cut: BenchRecord = { ...request(2, 0, 100, 10, 5), ok: false, errorClass: "truncated" };
    const stats = summarizeLevel([request(0, 0, 100, 10, 5), bad, cut]);
    expect(stats.completed).toBe(1);
    expect(stats.failed).toBe(2);
    expect(stats.errors).toEqual({ in_stream: 1, truncated: 1 });
    expect(stats.totalOutputTokens).toBe(5);
    expect(stats.ttft?.count).toBe(1);
  });

  it("counts goodput under SLOs with failures in the denominator of the good fraction", () => {
    const records = [
      request(0, 0, 100, 10, 5),
      request(1, 0, 600, 10, 5),
      { ...request(2, 0, 100, 10, 5), ok: false, errorClass: "http" as const, status: 503 },
    ];
    const stats = summarizeLevel(records, { slo: { ttftMs: 500 } });
    expect(stats.goodFraction).toBeCloseTo(1 / 3, 10);
    expect(stats.requestGoodput).toBeCloseTo(1 / stats.durationS, 6);
    expect(stats.httpStatuses).toEqual({ "503": 1 });
  });

  it("measures open-loop latency from the scheduled time and flags a lagging client as invalid", () => {
    const late = { ...request(0, 30, 100, 10, 3), scheduledAt: 0 };
    const stats = summarizeLevel([late], { openLoop: true });
    expect(stats.openLoop?.scheduleLag.p99).toBe(30);
    expect(stats.openLoop?.ttftFromScheduled?.p50).toBe(130);
    expect(stats.ttft?.p50).toBe(100);
    expect(stats.invalid).toBe(true);
    expect(stats.warnings[0]).toMatch(/INVALID RUN/);
    const onTime = summarizeLevel([{ ...request(0, 1, 100, 10, 3), scheduledAt: 0 }], { openLoop: true });
    expect(onTime.invalid).toBe(false);
  });

  it("sets the server's own timings beside the client's e2e, with the drift between them", () => {
    const r = { ...request(0, 0, 100, 10, 11), serverTimings: { promptMs: 80, completionMs: 190 } };
    const stats = summarizeLevel([r, { ...request(1, 0, 100, 10, 11) }]);
    expect(stats.serverTimings?.requests).toBe(1);
    expect(stats.serverTimings?.serverTotalMs.p50).toBe(270);
    expect(stats.serverTimings?.driftMs.p50).toBe(200 - 270);
  });

  it("labels token counts that did not come from the server", () => {
    const stats = summarizeLevel([{ ...request(0, 0, 1, 1, 3), usageSource: "estimate" }]);
    expect(stats.usageSources).toEqual({ estimate: 1 });
    expect(stats.warnings.join(" ")).toMatch(/estimate-based, not server-reported/);
  });

  it("warns when the machine was oversubscribed", () => {
    const client = {
      cpuPercent: 5,
      eventLoopDelayMs: { p50: 0, p99: 1, max: 1 },
      loadAverage: 9.5,
      cores: 2,
    };
    expect(summarizeLevel([request(0, 0, 1, 1, 2)], { client }).warnings.join(" ")).toMatch(/oversubscribed/);
    const calm = { ...client, loadAverage: 0.5 };
    expect(summarizeLevel([request(0, 0, 1, 1, 2)], { client: calm }).warnings).toEqual([]);
  });

  it("warns when the client neared saturation", () => {
    const stats = summarizeLevel([request(0, 0, 1, 1, 2)], {
      client: { cpuPercent: 95, eventLoopDelayMs: { p50: 1, p99: 2, max: 3 } },
    });
    expect(stats.warnings.join(" ")).toMatch(/saturation/);
  });

  it("finds the peak tokens within any 1-second span", () => {
    expect(
      peakTokensInOneSecond([
        { chunkTimes: [0, 500, 999.5, 1600], chunkTokens: [1, 2, 3, 4] },
        { chunkTimes: [1500], chunkTokens: [5] },
      ]),
    ).toBe(12);
  });

  it("finds peak concurrency, with back-to-back requests not overlapping", () => {
    expect(
      peakConcurrency([
        { sentAt: 0, endAt: 10 },
        { sentAt: 10, endAt: 20 },
        { sentAt: 5, endAt: 15 },
      ]),
    ).toBe(2);
  });
});
