import type { DeltaSink } from "../protocols/DeltaSink.js";

/** What a source gets for one attempt. */
export interface DeltaSourceContext {
  sink: DeltaSink;
  /** Aborted when the caller aborts, a timeout fires, or the consumer stops iterating. */
  signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** Called once the response headers (or the engine's readiness) arrived. */
  onResponse(): void;
}

/**
 * A pull interface over one response, for sources that can decode lazily: the stream calls
 * `decode()` when the consumer asks for an event, so input is turned into events one at a time and
 * nothing decoded waits in memory, and `fill()` only when nothing is left to decode.
 */
export interface DeltaReader {
  /**
   * Decodes some buffered input into the sink (at least one protocol chunk, usually exactly one) and
   * returns true; returns false when no buffered input is left. Synchronous. Throws an
   * `LlmstreamError` when the input is malformed or reports an error.
   */
  decode(): boolean;
  /**
   * Waits for more input. Resolves true when `decode()` may make progress (or deltas were pushed into
   * the sink directly), false once the response has ended and everything was decoded. Rejects with an
   * `LlmstreamError`; a `retryable` one thrown before any token lets the stream try again.
   */
  fill(): Promise<boolean>;
  /** Closes the connection (the server sees it) and stops producing. Safe to call twice. */
  close(): void;
  /**
   * Fast lane, twin of `fill()` (optional, synchronous): moves input that has already arrived into
   * the decoder and returns true; false when none is there (then `wait` or `fill()`). Saves a promise
   * round per network read. The HTTP reader builds it on the transport's `take()`.
   */
  pull?(): boolean;
  /**
   * Fast lane, twin of a pending `fill()` (optional, synchronous): calls `wake` once from the
   * transport's own event when input, the end or an error arrives, and returns true; returns false
   * (and never calls it) when `fill()` must be used. A consumer woken this way gets its event one
   * microtask after the read, not several. The HTTP reader passes it on to the transport's `wait()`.
   */
  wait?(wake: () => void): boolean;
}

/**
 * Produces one response, attempt by attempt: either a {@link DeltaReader}, or an async iterable
 * whose every step has pushed zero or more deltas into `sink` (the stream hands those out after each
 * step, so a source that pulls from a network body is back-pressured by the consumer). Throw an
 * `LlmstreamError` to fail; a `retryable` error thrown before any token lets the stream try again.
 */
export type DeltaSource = (context: DeltaSourceContext) => DeltaReader | AsyncIterable<unknown>;
