import type { Database } from "better-sqlite3";
import type { ErrorCode, FinishReason, Protocol, UsageSource } from "llmstream";
import type { LogDatabase } from "./LogDatabase.js";
import { parseSince } from "./parseSince.js";
import type { RecordSource, RequestRecord } from "./RequestRecord.js";

/** Which requests {@link listRequests} and {@link requestStats} look at. */
export interface RequestFilter {
  /** Only this requested model. */
  model?: string;
  /** Only requests started at or after this: epoch ms, an ISO date, or a duration back (`1h`, `2d`). */
  since?: number | string;
  /** Only failed requests: an error code other than `aborted` (the user's own Ctrl-C is not a failure). */
  errorsOnly?: boolean;
}

/** Options of {@link listRequests}. */
export interface ListRequestsOptions extends RequestFilter {
  /** How many, newest first. @defaultValue 20 */
  limit?: number;
}

type Row = Record<string, string | number | null>;

/**
 * The most recent requests, newest first, without their content.
 *
 * @example
 * ```ts
 * const db = openLogDatabase(defaultLogPath());
 * listRequests(db, { limit: 10, since: "1h", errorsOnly: true });
 * ```
 */
export function listRequests(database: LogDatabase, options: ListRequestsOptions = {}): RequestRecord[] {
  const db = database as unknown as Database;
  const { where, params } = whereClause(options);
  const limit = Math.max(0, Math.floor(options.limit ?? 20));
  const rows = db
    .prepare(`SELECT * FROM requests ${where} ORDER BY started_at_ms DESC, id DESC LIMIT @limit`)
    .all({ ...params, limit }) as Row[];
  return rows.map((row) => rowToRecord(row));
}

/**
 * One request with its content, by id or by a unique id prefix (any case). `undefined` when nothing
 * matches; throws a `RangeError` naming the candidates when the prefix matches several.
 */
export function getRequest(database: LogDatabase, idOrPrefix: string): RequestRecord | undefined {
  const db = database as unknown as Database;
  const prefix = idOrPrefix.trim().toUpperCase();
  if (prefix === "") throw new RangeError("Give a request id (or the start of one) to show");
  // `~` sorts after every ULID character, so this range is exactly "starts with prefix" on the index.
  const rows = db
    .prepare("SELECT * FROM requests WHERE id >= @prefix AND id < @prefix || '~' ORDER BY id LIMIT 6")
    .all({ prefix }) as Row[];
  if (rows.length > 1) {
    const ids = rows.slice(0, 5).map((row) => row.id);
    throw new RangeError(
      `The id prefix "${idOrPrefix}" matches several requests (${ids.join(", ")}${rows.length > 5 ? ", …" : ""}): give more characters`,
    );
  }
  const row = rows[0];
  if (row === undefined) return undefined;
  const content = db.prepare("SELECT * FROM request_content WHERE id = ?").get(row.id) as Row | undefined;
  return rowToRecord(row, content);
}

/** Builds the `WHERE` clause shared by the queries; every value is a bound parameter. @internal */
export function whereClause(filter: RequestFilter): { where: string; params: Row } {
  const conditions: string[] = [];
  const params: Row = {};
  if (filter.model !== undefined) {
    conditions.push("model = @model");
    params.model = filter.model;
  }
  if (filter.since !== undefined) {
    conditions.push("started_at_ms >= @since");
    params.since = typeof filter.since === "number" ? filter.since : parseSince(filter.since);
  }
  if (filter.errorsOnly) conditions.push("error_code IS NOT NULL AND error_code <> 'aborted'");
  return { where: conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`, params };
}

function rowToRecord(row: Row, content?: Row): RequestRecord {
  const record: RequestRecord = {
    id: String(row.id),
    startedAt: String(row.started_at),
    source: row.source as RecordSource,
    host: String(row.host),
    protocol: row.protocol as Protocol | "engine",
    model: String(row.model),
    finishReason: row.finish_reason as FinishReason,
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    totalTokens: Number(row.total_tokens),
    tokenSource: row.token_source as UsageSource,
    e2eMs: Number(row.e2e_ms),
    chunks: Number(row.chunks),
    tokenChunks: Number(row.token_chunks),
    attempts: Number(row.attempts),
    warnings: JSON.parse(String(row.warnings)) as string[],
  };
  const optionalText = (column: string): string | undefined =>
    row[column] === null || row[column] === undefined ? undefined : String(row[column]);
  const optionalNumber = (column: string): number | undefined =>
    row[column] === null || row[column] === undefined ? undefined : Number(row[column]);
  const upstream = optionalText("upstream");
  if (upstream !== undefined) record.upstream = upstream;
  const responseModel = optionalText("response_model");
  if (responseModel !== undefined) record.responseModel = responseModel;
  const rawFinishReason = optionalText("raw_finish_reason");
  if (rawFinishReason !== undefined) record.rawFinishReason = rawFinishReason;
  const errorCode = optionalText("error_code");
  if (errorCode !== undefined) record.errorCode = errorCode as ErrorCode;
  const errorMessage = optionalText("error_message");
  if (errorMessage !== undefined) record.errorMessage = errorMessage;
  const numbers = [
    ["httpStatus", "http_status"],
    ["reasoningTokens", "reasoning_tokens"],
    ["ttftMs", "ttft_ms"],
    ["ttfatMs", "ttfat_ms"],
    ["tpotMs", "tpot_ms"],
    ["tokensPerSecond", "tokens_per_second"],
    ["chunkGapP50Ms", "chunk_gap_p50_ms"],
    ["chunkGapP99Ms", "chunk_gap_p99_ms"],
  ] as const;
  for (const [field, column] of numbers) {
    const value = optionalNumber(column);
    if (value !== undefined) record[field] = value;
  }
  const serverTimings = optionalText("server_timings");
  if (serverTimings !== undefined) record.serverTimings = JSON.parse(serverTimings);
  if (content !== undefined) {
    record.content = {
      messages: JSON.parse(String(content.messages)),
      text: String(content.text),
      reasoning: String(content.reasoning),
      toolCalls: JSON.parse(String(content.tool_calls)),
    };
  }
  return record;
}
