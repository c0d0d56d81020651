import type { GapStats } from "../types/metrics.js";

/** Gaps kept exactly before switching to the histogram: covers almost every real answer. */
const EXACT_LIMIT = 4096;
/** Histogram resolution: bucket bounds grow by 1% (percentiles within ±0.5%). */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Smallest gap the histogram separates, in ms (1 µs); smaller gaps share bucket 0. */
const MIN_MS = 0.001;
/** 1 µs × 1.01^2400 ≈ 23 h: every realistic gap has a bucket. */
const BUCKETS = 2400;

/**
 * Records durations (ms) and reports p50/p90/p99/max in bounded memory: the first 4,096 values
 * exactly, beyond that a log-linear histogram (1% buckets, ~19 KB), so a million-chunk stream costs
 * the same memory as a short one.
 */
export class GapRecorder {
  #exact: Float64Array | undefined = new Float64Array(64);
  #histogram: Uint32Array | undefined;
  #count = 0;
  #max = 0;

  /** Adds one duration in milliseconds. */
  record(ms: number): void {
    if (ms > this.#max) this.#max = ms;
    const index = this.#count++;
    const exact = this.#exact;
    if (exact !== undefined) {
      if (index < exact.length) {
        exact[index] = ms;
        return;
      }
      if (index < EXACT_LIMIT) {
        const grown = new Float64Array(Math.min(EXACT_LIMIT, exact.length * 2));
        grown.set(exact);
        grown[index] = ms;
        this.#exact = grown;
        return;
      }
      this.#histogram = new Uint32Array(BUCKETS);
      for (let i = 0; i < exact.length; i++) this.#histogram[bucketOf(exact[i] as number)]!++;
      this.#exact = undefined;
    }
    this.#histogram![bucketOf(ms)]!++;
  }

  /** Percentiles of everything recorded (nearest-rank); zeros when nothing was recorded. */
  stats(): GapStats {
    const count = this.#count;
    if (count === 0) return { p50: 0, p90: 0, p99: 0, max: 0, count: 0 };
    const exact = this.#exact;
    if (exact !== undefined) {
      const sorted = exact.slice(0, count).sort();
      const at = (q: number) => sorted[Math.min(count - 1, Math.ceil(q * count) - 1)] as number;
      return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: this.#max, count };
    }
    const histogram = this.#histogram!;
    const targets = [0.5, 0.9, 0.99].map((q) => Math.ceil(q * count));
    const found: number[] = [];
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS && found.length < targets.length; bucket++) {
      seen += histogram[bucket] as number;
      while (found.length < targets.length && seen >= (targets[found.length] as number)) {
        found.push(Math.min(this.#max, bucketValue(bucket)));
      }
    }
    return { p50: found[0] ?? 0, p90: found[1] ?? 0, p99: found[2] ?? 0, max: this.#max, count };
  }
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const bucket = Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH) + 1;
  return bucket < BUCKETS ? bucket : BUCKETS - 1;
}

/** The geometric middle of a bucket. */
function bucketValue(bucket: number): number {
  if (bucket === 0) return MIN_MS / 2;
  return MIN_MS * GROWTH ** (bucket - 0.5);
}
