import type { RetryOptions } from "../types/options.js";

/** Resolved retry settings. */
export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Fills in the defaults: 2 retries, 500 ms base, 30 s cap. */
export function resolveRetryPolicy(retry: RetryOptions | number | undefined): RetryPolicy {
  const options = typeof retry === "number" ? { retries: retry } : (retry ?? {});
  return {
    retries: Math.max(0, Math.floor(options.retries ?? 2)),
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
  };
}

/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, capped; a
 * server's `Retry-After` wins when it asks for longer. Returns `undefined` when the server asks for
 * more than the cap (retrying sooner would be ignored or punished).
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)) * random();
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.maxDelayMs) return undefined;
  return Math.max(retryAfterMs, backoff);
}

/** Parses a `Retry-After` header (seconds, or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
