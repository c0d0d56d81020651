/**
 * `@llmstream/log`: the request log (records, sinks, queries) and OpenTelemetry hooks.
 *
 * Kept off the root entry on purpose: SQLite is a native module, and the streaming core stays free
 * of it. better-sqlite3 is loaded only when a SQLite sink first writes or a log database is opened.
 * `migrations`/`migrate` and `whereClause` are internal and not exported.
 */
export { createJsonlSink, type JsonlSinkOptions } from "./createJsonlSink.js";
export { createLogHook, type LogHookOptions, type RecordExtra, type SinkErrorInfo } from "./createLogHook.js";
export { createRecordId } from "./createRecordId.js";
export { createRequestLog, type RequestLog, type RequestLogOptions } from "./createRequestLog.js";
export { createSqliteSink, type SqliteSinkOptions } from "./createSqliteSink.js";
export { deleteRequests } from "./deleteRequests.js";
export type { LogDatabase } from "./LogDatabase.js";
export { defaultLogPath, type HomeEnvironment, llmstreamHome } from "./llmstreamHome.js";
export { schemaVersion } from "./migrations.js";
export { type OpenLogDatabaseOptions, openLogDatabase } from "./openLogDatabase.js";
export { createOtelHook, createOtelServerHook, genAiBuckets, type OtelHookOptions } from "./otel.js";
export { parseSince } from "./parseSince.js";
export { percentile } from "./percentile.js";
export { getRequest, type ListRequestsOptions, listRequests, type RequestFilter } from "./queryLogs.js";
export {
  type RecordContent,
  type RecordContext,
  type RecordSource,
  type RequestRecord,
  toRequestRecord,
} from "./RequestRecord.js";
export type { RequestSink } from "./RequestSink.js";
export { type RequestStats, requestStats } from "./requestStats.js";
