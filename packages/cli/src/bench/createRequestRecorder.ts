import type { ChatResult, StreamEvent } from "llmstream";
import { isLlmstreamError } from "llmstream";
import type { BenchRecord, ChunkTokenSource, ErrorClass } from "./BenchRecord.js";

/** What is known about a request before it is sent. */
export interface RecorderStart {
  index: number;
  prompt: number;
  sentAt: number;
  scheduledAt?: number;
}

/** How the request ended: its result, or the error it failed with. */
export interface RecorderEnd {
  endAt: number;
  result?: ChatResult;
  error?: unknown;
  /**
   * False when the wire format has an end marker (`data: [DONE]`) and it never came; the request
   * then fails as `truncated`. Undefined when the format has none to check.
   */
  endMarkerSeen?: boolean;
}

/** Collects one request's timings from its events, then turns them into a {@link BenchRecord}. */
export interface RequestRecorder {
  /** Call with every event and the time it was received (ms since the level start). */
  event(event: StreamEvent, at: number): void;
  finish(end: RecorderEnd): BenchRecord;
}

/**
 * Records a request the way the benchmark defines its metrics: a token is content or reasoning text,
 * so the role-only chunk (and keep-alive comments, which make no event) never count as the first
 * token. Each text or reasoning event is one token-carrying chunk (the core emits one per protocol
 * chunk; an inline `</think>` boundary can split one chunk into two events a few µs apart).
 */
export function createRequestRecorder(start: RecorderStart): RequestRecorder {
  const chunkTimes: number[] = [];
  const chunkChars: number[] = [];
  let firstAnswerTokenAt: number | undefined;
  return {
    event(event, at) {
      if (event.type === "text" || event.type === "reasoning") {
        chunkTimes.push(at);
        chunkChars.push(event.text.length);
        if (event.type === "text" && firstAnswerTokenAt === undefined) firstAnswerTokenAt = at;
      }
    },
    finish(end) {
      let result = end.result;
      let errorClass: ErrorClass | undefined;
      let message: string | undefined;
      let status: number | undefined;
      if (end.error !== undefined) {
        errorClass = classifyError(end.error);
        message = end.error instanceof Error ? end.error.message : String(end.error);
        if (isLlmstreamError(end.error)) {
          status = end.error.status;
          result ??= end.error.partial;
        }
      } else if (result?.finishReason === "aborted") {
        errorClass = "aborted";
        message = "The run was stopped while this request was in flight";
      } else if (end.endMarkerSeen === false) {
        errorClass = "truncated";
        message =
          "The stream ended without data: [DONE] (a finish reason alone is not taken as a complete answer)";
      } else if (result === undefined) {
        errorClass = "other";
        message = "The request ended without a result";
      }
      const outputTokens = result?.usage.completionTokens ?? 0;
      const apportioned = apportionTokens(chunkChars, outputTokens);
      const record: BenchRecord = {
        index: start.index,
        prompt: start.prompt,
        sentAt: start.sentAt,
        endAt: end.endAt,
        chunkTimes,
        chunkTokens: apportioned.tokens,
        chunkTokenSource: apportioned.source,
        outputTokens,
        promptTokens: result?.usage.promptTokens ?? 0,
        usageSource: result?.usage.source ?? "estimate",
        ok: errorClass === undefined,
      };
      if (start.scheduledAt !== undefined) record.scheduledAt = start.scheduledAt;
      const metrics = result?.metrics;
      if (metrics?.firstChunkAt !== undefined) record.firstChunkAt = start.sentAt + metrics.firstChunkAt;
      // A tool-call-only answer makes no text event: fall back to the core's first-token time.
      const firstTokenAt =
        chunkTimes[0] ??
        (metrics?.firstTokenAt === undefined ? undefined : start.sentAt + metrics.firstTokenAt);
      if (firstTokenAt !== undefined) record.firstTokenAt = firstTokenAt;
      if (firstAnswerTokenAt !== undefined) record.firstAnswerTokenAt = firstAnswerTokenAt;
      if (result?.id !== undefined) record.id = result.id;
      if (result?.serverTimings !== undefined) record.serverTimings = result.serverTimings;
      if (result?.rawFinishReason !== undefined) record.finishReason = result.rawFinishReason;
      else if (result !== undefined && errorClass === undefined) record.finishReason = result.finishReason;
      if (errorClass !== undefined) record.errorClass = errorClass;
      if (message !== undefined) record.error = message;
      if (status !== undefined) record.status = status;
      return record;
    },
  };
}

/** The error class of anything a request failed with (see {@link ErrorClass}). */
export function classifyError(error: unknown): ErrorClass {
  if (!isLlmstreamError(error)) return "other";
  switch (error.code) {
    case "connection":
      return "connection";
    case "http":
      return "http";
    case "timeout":
      return "timeout";
    case "server":
    case "protocol":
      return "in_stream";
    case "truncated":
      return "truncated";
    case "aborted":
      return "aborted";
    default:
      return "other";
  }
}

/**
 * Spreads `total` tokens over chunks: one each when the counts match (the common one-token-per-chunk
 * server, exact), otherwise in proportion to each chunk's characters by the largest-remainder method
 * (so they add up to `total` exactly), labelled as apportioned.
 */
export function apportionTokens(
  chunkChars: readonly number[],
  total: number,
): { tokens: number[]; source: ChunkTokenSource } {
  const n = chunkChars.length;
  if (n === 0) return { tokens: [], source: "none" };
  if (total === n) return { tokens: new Array<number>(n).fill(1), source: "exact" };
  let chars = 0;
  for (const c of chunkChars) chars += c;
  const shares = chunkChars.map((c) => (chars === 0 ? total / n : (c * total) / chars));
  const tokens = shares.map(Math.floor);
  let left = total - tokens.reduce((a, b) => a + b, 0);
  const order = shares.map((share, i) => [share - Math.floor(share), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0 && n > 0; k = (k + 1) % n, left--)
    tokens[(order[k] as readonly [number, number])[1]]!++;
  return { tokens, source: "apportioned" };
}
