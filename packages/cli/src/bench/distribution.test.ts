import { describe, expect, it } from "vitest";
import { distribution } from "./distribution.js";

describe("distribution", () => {
  it("reports mean, population std, interpolated percentiles, min and max", () => {
    const d = distribution([4, 1, 3, 2]);
    expect(d).toEqual({
      count: 4,
      mean: 2.5,
      std: Math.sqrt(1.25),
      min: 1,
      p50: 2.5,
      p90: 3.7,
      p95: 3.85,
      p99: 3.97,
      max: 4,
    });
  });

  it("is undefined for no values and leaves the input unsorted", () => {
    expect(distribution([])).toBeUndefined();
    const values = [3, 1, 2];
    distribution(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
