import { gammaSample, seededRandom } from "./seededRandom.js";

/**
 * How requests arrive in an open-loop run.
 * - `poisson`: exponential gaps (a Poisson process), the usual model of independent users.
 * - `constant`: every gap exactly 1/rate.
 * - `gamma`: Gamma-distributed gaps with shape `burstiness` (mean still 1/rate): below 1 burstier
 *   than Poisson, above 1 more regular (vLLM's `--burstiness`).
 */
export type Arrivals = "poisson" | "constant" | "gamma";

/** Options of {@link arrivalTimes}. */
export interface ArrivalOptions {
  /** Requests per second (> 0). */
  rate: number;
  /** @defaultValue "poisson" */
  arrivals?: Arrivals;
  /** Gamma shape for `gamma` arrivals. @defaultValue 1 */
  burstiness?: number;
  /** @defaultValue 0 */
  seed?: number;
  /** Stop after this many arrivals. */
  count?: number;
  /** Stop before the first arrival at or after this time (ms). */
  durationMs?: number;
}

/** Most arrivals one schedule may hold: bounds memory for a typo like `--rate 1e9 --duration 60`. */
export const MAX_ARRIVALS = 10_000_000;

/**
 * The open-loop schedule: when each request is due, in milliseconds from the start of the level.
 * The first request is due at 0; each gap is drawn from the chosen distribution with mean 1000/rate.
 * Deterministic for a seed, so `--compare` and reruns replay the same load.
 *
 * @example
 * ```ts
 * arrivalTimes({ rate: 10, arrivals: "constant", count: 3 }); // [0, 100, 200]
 * ```
 */
export function arrivalTimes(options: ArrivalOptions): number[] {
  const { rate } = options;
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new RangeError(`Rate must be a positive number, got ${rate}`);
  const arrivals = options.arrivals ?? "poisson";
  const shape = arrivals === "gamma" ? (options.burstiness ?? 1) : 1;
  if (!(shape > 0)) throw new RangeError(`Burstiness must be positive, got ${options.burstiness}`);
  if (options.count === undefined && options.durationMs === undefined) {
    throw new TypeError("arrivalTimes needs a count or a durationMs, or the schedule never ends");
  }
  const limit = Math.min(options.count ?? MAX_ARRIVALS, MAX_ARRIVALS);
  const endMs = options.durationMs ?? Number.POSITIVE_INFINITY;
  const meanGap = 1000 / rate;
  const random = seededRandom(options.seed ?? 0);
  const times: number[] = [];
  let t = 0;
  while (times.length < limit && t < endMs) {
    times.push(t);
    // Gamma(shape, scale = mean/shape) has the requested mean; shape 1 is the exponential.
    t += arrivals === "constant" ? meanGap : (gammaSample(shape, random) * meanGap) / shape;
  }
  return times;
}
