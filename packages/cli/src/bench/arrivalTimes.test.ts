import { describe, expect, it } from "vitest";
import { arrivalTimes } from "./arrivalTimes.js";

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const cv = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2))) / m;
};

describe("arrivalTimes", () => {
  it("spaces constant arrivals exactly 1/rate apart, starting at 0", () => {
    expect(arrivalTimes({ rate: 10, arrivals: "constant", count: 4 })).toEqual([0, 100, 200, 300]);
  });

  it("gives Poisson gaps with mean 1/rate and a coefficient of variation near 1", () => {
    const g = gaps(arrivalTimes({ rate: 200, count: 20_001, seed: 7 }));
    expect(mean(g)).toBeGreaterThan(5 * 0.97);
    expect(mean(g)).toBeLessThan(5 * 1.03);
    expect(cv(g)).toBeGreaterThan(0.95);
    expect(cv(g)).toBeLessThan(1.05);
  });

  it("makes gamma arrivals burstier below burstiness 1 and more regular above, same mean", () => {
    for (const burstiness of [0.25, 4]) {
      const g = gaps(arrivalTimes({ rate: 50, arrivals: "gamma", burstiness, count: 20_001, seed: 3 }));
      expect(mean(g) / 20).toBeGreaterThan(0.95);
      expect(mean(g) / 20).toBeLessThan(1.05);
      // The coefficient of variation of Gamma(k) is 1/√k.
      expect(cv(g)).toBeGreaterThan((1 / Math.sqrt(burstiness)) * 0.9);
      expect(cv(g)).toBeLessThan((1 / Math.sqrt(burstiness)) * 1.1);
    }
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = arrivalTimes({ rate: 5, count: 50, seed: 1 });
    expect(arrivalTimes({ rate: 5, count: 50, seed: 1 })).toEqual(a);
    expect(arrivalTimes({ rate: 5, count: 50, seed: 2 })).not.toEqual(a);
  });

  it("stops at the duration", () => {
    const times = arrivalTimes({ rate: 100, arrivals: "constant", durationMs: 1000 });
    expect(times).toHaveLength(100);
    expect(Math.max(...times)).toBeLessThan(1000);
  });

  it("rejects a rate or burstiness that is not positive, and an endless schedule", () => {
    expect(() => arrivalTimes({ rate: 0, count: 1 })).toThrow(RangeError);
    expect(() => arrivalTimes({ rate: 1, arrivals: "gamma", burstiness: 0, count: 1 })).toThrow(RangeError);
    expect(() => arrivalTimes({ rate: 1 })).toThrow(TypeError);
  });
});
