import type {
  ChatMessage,
  ErrorCode,
  FinishInfo,
  FinishReason,
  Protocol,
  ServerTimings,
  ToolCall,
  UsageSource,
} from "llmstream";
import { createRecordId } from "./createRecordId.js";

/** Which command produced a record. */
export type RecordSource = "chat" | "serve";

/** The prompt and the answer of one request; stored only when content logging is on. */
export interface RecordContent {
  messages: ChatMessage[];
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

/**
 * One finished request as the request log keeps it: flat, JSON-safe, times in milliseconds.
 * Fields the request never reached (e.g. `ttftMs` when no token came) are left out.
 */
export interface RequestRecord {
  /** A time-ordered unique id (ULID); `llmstream logs show` accepts any unique prefix. */
  id: string;
  /** When the request started, ISO 8601 UTC. */
  startedAt: string;
  source: RecordSource;
  /** `host:port` of the endpoint, or `"engine"` for the embedded engine. */
  host: string;
  /** `serve`'s relay: the name of the upstream that answered (its `--upstream name=`, or `host:port`). */
  upstream?: string;
  protocol: Protocol | "engine";
  /** The model that was asked for. */
  model: string;
  /** The model the server said answered. */
  responseModel?: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  errorCode?: ErrorCode;
  errorMessage?: string;
  httpStatus?: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  reasoningTokens?: number;
  tokenSource: UsageSource;
  ttftMs?: number;
  ttfatMs?: number;
  tpotMs?: number;
  e2eMs: number;
  tokensPerSecond?: number;
  chunkGapP50Ms?: number;
  chunkGapP99Ms?: number;
  chunks: number;
  tokenChunks: number;
  attempts: number;
  serverTimings?: ServerTimings;
  warnings: string[];
  content?: RecordContent;
}

/** How {@link toRequestRecord} labels a record. */
export interface RecordContext {
  source: RecordSource;
  /** Keep the prompt messages and the answer. */
  logContent: boolean;
  /** Use this id instead of a new one. */
  id?: string;
  /** The relay upstream that answered. */
  upstream?: string;
}

/**
 * Turns what the client reports at the end of a request into a {@link RequestRecord}.
 *
 * @example
 * ```ts
 * const record = toRequestRecord(info, { source: "chat", logContent: true });
 * ```
 */
export function toRequestRecord(info: FinishInfo, context: RecordContext): RequestRecord {
  const { result, error, request } = info;
  const { metrics, usage } = result;
  const gaps = metrics.chunkGaps;
  const record: RequestRecord = {
    id: context.id ?? createRecordId(metrics.startedAtEpochMs),
    startedAt: new Date(metrics.startedAtEpochMs).toISOString(),
    source: context.source,
    host: request.protocol === "engine" ? "engine" : hostOf(request.url),
    protocol: request.protocol,
    model: request.model,
    finishReason: result.finishReason,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.totalTokens,
    tokenSource: usage.source,
    e2eMs: metrics.e2eMs,
    chunks: metrics.chunks,
    tokenChunks: metrics.tokenChunks,
    attempts: metrics.attempts,
    warnings: [...result.warnings],
  };
  if (context.upstream !== undefined) record.upstream = context.upstream;
  if (result.model !== undefined) record.responseModel = result.model;
  if (result.rawFinishReason !== undefined) record.rawFinishReason = result.rawFinishReason;
  if (error !== undefined) {
    record.errorCode = error.code;
    record.errorMessage = error.message;
    if (error.status !== undefined) record.httpStatus = error.status;
  }
  if (usage.reasoningTokens !== undefined) record.reasoningTokens = usage.reasoningTokens;
  if (metrics.ttftMs !== undefined) record.ttftMs = metrics.ttftMs;
  if (metrics.ttfatMs !== undefined) record.ttfatMs = metrics.ttfatMs;
  if (metrics.tpotMs !== undefined) record.tpotMs = metrics.tpotMs;
  if (metrics.tokensPerSecond !== undefined) record.tokensPerSecond = metrics.tokensPerSecond;
  // With no gaps the percentiles are placeholders, not measurements.
  if (gaps.count > 0) {
    record.chunkGapP50Ms = gaps.p50;
    record.chunkGapP99Ms = gaps.p99;
  }
  if (result.serverTimings !== undefined) record.serverTimings = { ...result.serverTimings };
  if (context.logContent) {
    record.content = {
      messages: request.messages,
      text: result.text,
      reasoning: result.reasoning,
      toolCalls: result.toolCalls,
    };
  }
  return record;
}

/** `host:port` as written in the URL; the raw string when it does not parse. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
