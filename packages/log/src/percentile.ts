/**
 * The exact `p`-th percentile (0–100) of `values` by linear interpolation between the two closest
 * ranks (the "R-7" method, numpy's and Excel's default): for n sorted values the position is
 * `(n − 1) · p / 100`. `undefined` for an empty list. `sorted` must be ascending.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Percentile must be between 0 and 100, got ${p}`);
  const position = ((sorted.length - 1) * p) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  return low + (sorted[upper]! - low) * (position - lower);
}
