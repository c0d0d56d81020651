import type BetterSqlite3 from "better-sqlite3";
import { defaultLogPath } from "./llmstreamHome.js";
import { openSqliteDatabase } from "./openLogDatabase.js";
import type { RequestRecord } from "./RequestRecord.js";
import type { RequestSink } from "./RequestSink.js";

const defaultBusyTimeoutMs = 5000;

/** Options of {@link createSqliteSink}. */
export interface SqliteSinkOptions {
  /** The database file. @defaultValue `<llmstream home>/logs.db`, see {@link defaultLogPath} */
  path?: string;
  /**
   * How long a write waits for another process's lock, in ms. After a failed write the sink waits
   * no more (each write tries once) until a write succeeds again. @defaultValue 5000
   */
  busyTimeoutMs?: number;
  /**
   * Receives write errors instead of `write` throwing them. Without it `write` throws (and
   * {@link createLogHook} reports the first error).
   */
  onError?: (error: unknown) => void;
}

/**
 * A sink that keeps records in a SQLite database (WAL mode, schema migrations). The file is opened
 * on the first write, so a broken path costs nothing until a request finishes, and a failed open is
 * tried again on the next write.
 *
 * Each record is one immediate transaction with prepared statements: it is in the file when `write`
 * returns, and a process killed mid-write leaves either the whole record or none of it.
 *
 * @example
 * ```ts
 * const sink = createSqliteSink({ path: "/tmp/requests.db" });
 * sink.write(toRequestRecord(info, { source: "chat", logContent: true }));
 * sink.close();
 * ```
 */
export function createSqliteSink(options: SqliteSinkOptions = {}): RequestSink & { readonly path: string } {
  const path = options.path ?? defaultLogPath();
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? defaultBusyTimeoutMs));
  let state: { db: BetterSqlite3.Database; insert: (record: RequestRecord) => void } | undefined;
  let closed = false;
  let failing = false;

  function open(): NonNullable<typeof state> {
    const db = openSqliteDatabase(path, { busyTimeoutMs });
    const insertRequest = db.prepare(`INSERT INTO requests (
      id, started_at, started_at_ms, source, host, protocol, model, response_model, finish_reason,
      raw_finish_reason, error_code, error_message, http_status, prompt_tokens, completion_tokens,
      total_tokens, reasoning_tokens, token_source, ttft_ms, ttfat_ms, tpot_ms, e2e_ms, tokens_per_second,
      chunk_gap_p50_ms, chunk_gap_p99_ms, chunks, token_chunks, attempts, server_timings, warnings, has_content,
      upstream
    ) VALUES (
      @id, @startedAt, @startedAtMs, @source, @host, @protocol, @model, @responseModel, @finishReason,
      @rawFinishReason, @errorCode, @errorMessage, @httpStatus, @promptTokens, @completionTokens,
      @totalTokens, @reasoningTokens, @tokenSource, @ttftMs, @ttfatMs, @tpotMs, @e2eMs, @tokensPerSecond,
      @chunkGapP50Ms, @chunkGapP99Ms, @chunks, @tokenChunks, @attempts, @serverTimings, @warnings, @hasContent,
      @upstream
    )`);
    const insertContent = db.prepare(
      "INSERT INTO request_content (id, messages, text, reasoning, tool_calls) VALUES (?, ?, ?, ?, ?)",
    );
    const transaction = db.transaction((record: RequestRecord) => {
      insertRequest.run(toRow(record));
      const content = record.content;
      if (content !== undefined) {
        insertContent.run(
          record.id,
          JSON.stringify(content.messages),
          content.text,
          content.reasoning,
          JSON.stringify(content.toolCalls),
        );
      }
    });
    return { db, insert: (record) => transaction.immediate(record) };
  }

  return {
    name: `SQLite log ${path}`,
    path,
    write(record) {
      try {
        if (closed) throw new Error(`The SQLite log ${path} is closed: create a new sink to write again`);
        state ??= open();
        state.insert(record);
        if (failing) {
          failing = false;
          state.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        }
      } catch (error) {
        // The lock that made this write fail usually outlasts the next request: until
        // a write succeeds, try once without waiting, so every later request is not held up by the
        // full busy timeout again (a synchronous wait that would stall a server's other streams).
        if (state !== undefined && !failing && isLockError(error)) {
          failing = true;
          try {
            state.db.pragma("busy_timeout = 0");
          } catch {}
        }
        if (options.onError === undefined) throw error;
        options.onError(error);
      }
    },
    close() {
      closed = true;
      state?.db.close();
      state = undefined;
    },
  };
}

/** Named parameters for the insert; `null` where the record leaves a field out. */
function toRow(record: RequestRecord): Record<string, string | number | null> {
  return {
    id: record.id,
    startedAt: record.startedAt,
    startedAtMs: Date.parse(record.startedAt),
    source: record.source,
    host: record.host,
    protocol: record.protocol,
    model: record.model,
    responseModel: record.responseModel ?? null,
    finishReason: record.finishReason,
    rawFinishReason: record.rawFinishReason ?? null,
    errorCode: record.errorCode ?? null,
    errorMessage: record.errorMessage ?? null,
    httpStatus: record.httpStatus ?? null,
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    totalTokens: record.totalTokens,
    reasoningTokens: record.reasoningTokens ?? null,
    tokenSource: record.tokenSource,
    ttftMs: record.ttftMs ?? null,
    ttfatMs: record.ttfatMs ?? null,
    tpotMs: record.tpotMs ?? null,
    e2eMs: record.e2eMs,
    tokensPerSecond: record.tokensPerSecond ?? null,
    chunkGapP50Ms: record.chunkGapP50Ms ?? null,
    chunkGapP99Ms: record.chunkGapP99Ms ?? null,
    chunks: record.chunks,
    tokenChunks: record.tokenChunks,
    attempts: record.attempts,
    serverTimings: record.serverTimings === undefined ? null : JSON.stringify(record.serverTimings),
    warnings: JSON.stringify(record.warnings),
    hasContent: record.content === undefined ? 0 : 1,
    upstream: record.upstream ?? null,
  };
}

/** better-sqlite3's `SQLITE_BUSY*` / `SQLITE_LOCKED*` errors: another connection holds the lock. */
function isLockError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
