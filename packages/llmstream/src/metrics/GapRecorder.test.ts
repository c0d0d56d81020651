import { describe, expect, it } from "vitest";
import { GapRecorder } from "./GapRecorder.js";

describe("GapRecorder", () => {
  it("gives exact nearest-rank percentiles for short streams", () => {
    const gaps = new GapRecorder();
    for (let i = 1; i <= 100; i++) gaps.record(i);
    expect(gaps.stats()).toEqual({ p50: 50, p90: 90, p99: 99, max: 100, count: 100 });
  });

  it("is zero when nothing was recorded", () => {
    expect(new GapRecorder().stats()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, count: 0 });
  });

  it("stays within 1% on a million values, in bounded memory", () => {
    const gaps = new GapRecorder();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) gaps.record(((i * 7919) % n) / 1000 + 0.01);
    const stats = gaps.stats();
    const exact = (q: number) => (Math.ceil(q * n) - 1) / 1000 + 0.01;
    for (const [q, value] of [
      [0.5, stats.p50],
      [0.9, stats.p90],
      [0.99, stats.p99],
    ] as const) {
      expect(Math.abs(value - exact(q)) / exact(q)).toBeLessThan(0.01);
    }
    expect(stats.max).toBeCloseTo((n - 1) / 1000 + 0.01, 9);
    expect(stats.count).toBe(n);
  });
});
