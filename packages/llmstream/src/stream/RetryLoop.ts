import { HttpError } from "../errors/HttpError.js";
import type { LlmstreamError } from "../errors/LlmstreamError.js";
import type { RetryOptions } from "../types/options.js";
import { sleep } from "../utils/sleep.js";
import { type RetryPolicy, resolveRetryPolicy, retryDelay } from "./retryDelay.js";

/** Rate limits and gateways that are down or overloaded: asking again later may work. */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** True for the failures a retry may cure: no connection, and the HTTP statuses above. */
export function isRetryable(error: LlmstreamError): boolean {
  if (error.code === "connection") return true;
  if (error.code === "http") return error.status !== undefined && RETRYABLE_STATUS.has(error.status);
  return false;
}

/**
 * The attempts of one request: counts them, and after a failure decides whether another may follow
 * and waits out the pause before it. Retries happen only before the first token: once text reached
 * the consumer, trying again would repeat or contradict it.
 *
 * @example
 * ```ts
 * const retries = new RetryLoop(options.retry);
 * const attempt = retries.next();
 * // … the attempt fails with `error` before any token:
 * const pause = retries.pauseAfter(error, acc.hasToken, signal);
 * if (pause !== undefined) await pause; // then start the next attempt
 * ```
 */
export class RetryLoop {
  /** The number of the current attempt: 1 for the first, 2 for the first retry, 0 before any. */
  attempt = 0;
  readonly policy: RetryPolicy;
  readonly #random: () => number;

  constructor(retry: RetryOptions | number | undefined, random: () => number = Math.random) {
    this.policy = resolveRetryPolicy(retry);
    this.#random = random;
  }

  /** Starts the next attempt and returns its number. */
  next(): number {
    return ++this.attempt;
  }

  /**
   * After the current attempt failed with `error`: the pause before the next attempt, already
   * running, or `undefined` when there is none (a token already arrived, the retries are used up,
   * the error is not {@link isRetryable}, or the server's `Retry-After` asks for more than the cap).
   * The pause resolves early, never rejects, when `signal` aborts: the caller checks the signal.
   */
  pauseAfter(error: LlmstreamError, hasToken: boolean, signal: AbortSignal): Promise<void> | undefined {
    if (hasToken || this.attempt > this.policy.retries || !isRetryable(error)) return undefined;
    const retryAfterMs = error instanceof HttpError ? error.retryAfterMs : undefined;
    const delay = retryDelay(this.attempt, this.policy, retryAfterMs, this.#random);
    return delay === undefined ? undefined : sleep(delay, signal);
  }
}
