import type { DeltaSink } from "./DeltaSink.js";

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
 * Produces one response, attempt by attempt. Each step of the returned iterable has pushed zero or
 * more deltas into `sink`; the stream drains them as events after each step, so a source that pulls
 * from a network body is naturally back-pressured by the consumer. Throw an `LlmstreamError` to fail;
 * a `retryable` error thrown before any token lets the stream try again.
 */
export type DeltaSource = (context: DeltaSourceContext) => AsyncIterable<unknown>;
