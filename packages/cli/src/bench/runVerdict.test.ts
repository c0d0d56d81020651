import { describe, expect, it } from "vitest";
import type { BenchRecord } from "./BenchRecord.js";
import { formatReport } from "./formatReport.js";
import { renderHtmlReport } from "./renderHtmlReport.js";
import type { BenchRun } from "./runBench.js";
import type { LevelResult } from "./runLevel.js";
import { isInvalidRun, runWarnings } from "./runVerdict.js";
import { summarizeLevel } from "./summarizeLevel.js";
import { toJsonReport } from "./toJsonReport.js";

/** One open-loop level of one request sent `lagMs` after its scheduled time. */
function level(lagMs: number): LevelResult {
  const record: BenchRecord = {
    index: 0,
    prompt: 0,
    scheduledAt: 0,
    sentAt: lagMs,
    firstChunkAt: lagMs + 1,
    firstTokenAt: lagMs + 5,
    firstAnswerTokenAt: lagMs + 5,
    endAt: lagMs + 10,
    chunkTimes: [lagMs + 5, lagMs + 10],
    chunkTokens: [1, 1],
    chunkTokenSource: "exact",
    outputTokens: 2,
    promptTokens: 3,
    usageSource: "server",
    ok: true,
  };
  return {
    plan: { mode: "rate", value: 10 },
    originEpochMs: 0,
    records: [record],
    stats: summarizeLevel([record], { openLoop: true }),
  };
}

const info = { date: "2026-12-06", backend: "openai-chat", model: "m", version: "0", seed: 0 };

describe("isInvalidRun / runWarnings", () => {
  it("calls a run invalid in every report when only the compared server's level lagged", () => {
    const run: BenchRun = {
      target: "http://127.0.0.1:1/v1",
      levels: [level(1)],
      compare: { target: "http://127.0.0.1:2/v1", levels: [level(40)] },
    };
    expect(isInvalidRun(run)).toBe(true);
    expect(runWarnings(run)).toHaveLength(1);
    expect(runWarnings(run)[0]).toMatch(/^INVALID RUN: .*40\.0 ms/);
    expect(formatReport(run)).toMatch(/^!!! INVALID RUN/);
    expect(renderHtmlReport(run, info)).toContain('class="invalid"');
    const json = toJsonReport(run, info);
    expect(json.invalid).toBe(true);
    expect(json.warnings).toEqual(runWarnings(run));
  });

  it("calls a run valid when no level, target's or compared, lagged", () => {
    const run: BenchRun = {
      target: "http://127.0.0.1:1/v1",
      levels: [level(1)],
      compare: { target: "http://127.0.0.1:2/v1", levels: [level(2)] },
    };
    expect(isInvalidRun(run)).toBe(false);
    expect(runWarnings(run)).toEqual([]);
    expect(formatReport(run)).not.toMatch(/INVALID/);
    expect(renderHtmlReport(run, info)).not.toContain('class="invalid"');
    expect(toJsonReport(run, info).invalid).toBe(false);
  });
});
