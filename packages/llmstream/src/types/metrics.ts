/** Percentiles of a set of durations, in milliseconds. */
export interface GapStats {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  count: number;
}

/**
 * Timing of one streamed request. Definitions follow vLLM's benchmark conventions.
 *
 * All `*At` values are milliseconds since `startedAt` (a `performance.now()`-style clock), or
 * `undefined` when the moment never came.
 *
 * - `ttftMs` = first token − request start (a token is content, reasoning or tool-call text;
 *   keep-alive comments and role-only chunks do not count).
 * - `ttfatMs` = first answer (non-reasoning) token − request start.
 * - `e2eMs` = end − request start.
 * - `tpotMs` = (last token − first token) / (completionTokens − 1): time per output token after
 *   the first, undefined with fewer than 2 tokens.
 * - `tokensPerSecond` = (completionTokens − 1) / (last token − first token) × 1000: the decode rate.
 * - `chunkGaps`: gaps between consecutive token-carrying chunks.
 * - `meanTokensPerChunk` = completionTokens / token-carrying chunks.
 */
export interface StreamMetrics {
  /** Wall-clock time the request started, ms since the Unix epoch. */
  startedAtEpochMs: number;
  responseHeadersAt?: number;
  firstChunkAt?: number;
  firstTokenAt?: number;
  firstAnswerTokenAt?: number;
  lastTokenAt?: number;
  endAt: number;
  ttftMs?: number;
  ttfatMs?: number;
  e2eMs: number;
  tpotMs?: number;
  tokensPerSecond?: number;
  /** Protocol chunks received (SSE data events or NDJSON lines), including role-only ones. */
  chunks: number;
  /** Chunks that carried token text. */
  tokenChunks: number;
  meanTokensPerChunk?: number;
  chunkGaps: GapStats;
  /** Attempts made (1 + retries). */
  attempts: number;
}
