import { percentile } from "@llmstream/log";

/**
 * Summary statistics of a set of values (milliseconds, or tokens for tokens-per-chunk). Percentiles
 * interpolate linearly between ranks (numpy's default, as vLLM's `bench serve` reports them); `std`
 * is the population standard deviation (numpy's `np.std`).
 */
export interface Distribution {
  count: number;
  mean: number;
  std: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** The percentiles every distribution reports, in the order of the table and the JSON keys. */
export const PERCENTILES = [50, 90, 95, 99] as const;

/** The statistics of `values`, or `undefined` when there are none. Does not modify `values`. */
export function distribution(values: ArrayLike<number>): Distribution | undefined {
  const count = values.length;
  if (count === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < count; i++) squares += ((sorted[i] as number) - mean) ** 2;
  // percentile() takes an array-like; a typed array avoids a second copy.
  const at = (p: number) => percentile(sorted as unknown as number[], p) as number;
  return {
    count,
    mean,
    std: Math.sqrt(squares / count),
    min: sorted[0] as number,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max: sorted[count - 1] as number,
  };
}
