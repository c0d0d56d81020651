import type { ServerTimings, UsageSource } from "llmstream";

/**
 * Why a request failed, by class:
 * - `connection`: no HTTP response, or the connection broke mid-answer.
 * - `http`: the server answered with an error status (`status` says which).
 * - `timeout`: the first-token, idle or total timeout fired.
 * - `in_stream`: the server reported an error inside a 200 stream, or sent something unreadable.
 * - `truncated`: the stream ended without a finish reason, or (OpenAI SSE) without `data: [DONE]`.
 * - `aborted`: the run was stopped (Ctrl-C) while the request was in flight.
 * - `other`: anything else (e.g. the engine's model failed).
 */
export type ErrorClass = "connection" | "http" | "timeout" | "in_stream" | "truncated" | "aborted" | "other";

/** Every error class, in report order. */
export const ERROR_CLASSES: readonly ErrorClass[] = [
  "connection",
  "http",
  "timeout",
  "in_stream",
  "truncated",
  "aborted",
  "other",
];

/**
 * How the per-chunk token counts were found: `exact` when the request's token count equals its
 * token-carrying chunks (one token each), `apportioned` when the count was spread over the chunks in
 * proportion to their characters, `none` when there were no token chunks.
 */
export type ChunkTokenSource = "exact" | "apportioned" | "none";

/**
 * One measured request. Times are milliseconds since the start of its level, on the
 * `performance.now()` clock, taken by the benchmark's own listener as each event was decoded.
 */
export interface BenchRecord {
  /** Position in the level's schedule (0 = first measured request). */
  index: number;
  /** The response id the server reported, to find the request in its logs. */
  id?: string;
  /** Which prompt it sent (index into the prompt list). */
  prompt: number;
  /** When the open-loop schedule wanted it sent; absent in closed loop. */
  scheduledAt?: number;
  /** When it was actually sent. */
  sentAt: number;
  /** First protocol chunk of any kind (including the role-only chunk). */
  firstChunkAt?: number;
  /** First chunk carrying a content or reasoning token (never the role-only chunk). */
  firstTokenAt?: number;
  /** First chunk carrying an answer (non-reasoning) token. */
  firstAnswerTokenAt?: number;
  /** When the request ended (the last event, success or failure). */
  endAt: number;
  /** Arrival time of each token-carrying chunk. */
  chunkTimes: number[];
  /** Tokens in each token-carrying chunk (see `chunkTokenSource`). */
  chunkTokens: number[];
  chunkTokenSource: ChunkTokenSource;
  /** Output tokens (answer + reasoning). On failure: what arrived, but never counted in throughput. */
  outputTokens: number;
  promptTokens: number;
  /** Where the token counts come from (server usage first; chunks or estimate only when it gave none). */
  usageSource: UsageSource;
  serverTimings?: ServerTimings;
  ok: boolean;
  errorClass?: ErrorClass;
  status?: number;
  error?: string;
  finishReason?: string;
}
