import type { FinishInfo } from "../types/options.js";
import { createJsonlSink } from "./createJsonlSink.js";
import { createLogHook, type SinkErrorInfo } from "./createLogHook.js";
import { createSqliteSink } from "./createSqliteSink.js";
import { defaultLogPath } from "./llmstreamHome.js";
import type { RecordSource } from "./RequestRecord.js";
import type { RequestSink } from "./RequestSink.js";

/** Options of {@link createRequestLog}: what the `chat` and `serve` flags say. */
export interface RequestLogOptions {
  source: RecordSource;
  /** `--no-log` passes `false`. The SQLite log is also off when `LLMSTREAM_NO_LOG` is set (not `0`). @defaultValue true */
  log?: boolean;
  /** `--log-content` / `--no-log-content`. @defaultValue true for `chat` (your own machine), false for `serve` */
  logContent?: boolean;
  /** `--log-file path.jsonl`: also append JSON lines there. Written even with `--no-log`, which only turns the database off. */
  logFile?: string;
  /** The SQLite file. @defaultValue {@link defaultLogPath} */
  path?: string;
  /** @defaultValue `process.env` */
  env?: Record<string, string | undefined>;
  /** Where a failing sink is reported, once. @defaultValue one line on stderr */
  onSinkError?: (info: SinkErrorInfo) => void;
}

/** The request log of one CLI run. */
export interface RequestLog {
  /** Pass as `onFinish` to `streamChat` (or call from the server's own finish hook). Never throws. */
  onFinish: (info: FinishInfo) => void;
  /** The active sinks; empty when logging is off. */
  sinks: readonly RequestSink[];
  /** Closes every sink; call once when the command ends. */
  close(): Promise<void>;
}

/**
 * The request log as the CLI sets it up: the SQLite database (unless turned off) plus an optional
 * JSONL file, with errors reported once on stderr. The database is opened at the first finished
 * request, so `--help` and failed argument parsing never touch it.
 *
 * @example
 * ```ts
 * const log = createRequestLog({ source: "chat", log: flags.log, logFile: flags.logFile });
 * try {
 *   await streamChat({ ...options, onFinish: log.onFinish }).result;
 * } finally {
 *   await log.close();
 * }
 * ```
 */
export function createRequestLog(options: RequestLogOptions): RequestLog {
  const env = options.env ?? process.env;
  const disabledByEnv = (env.LLMSTREAM_NO_LOG ?? "") !== "" && env.LLMSTREAM_NO_LOG !== "0";
  const sinks: RequestSink[] = [];
  if (options.log !== false && !disabledByEnv)
    sinks.push(createSqliteSink({ path: options.path ?? defaultLogPath({ env }) }));
  if (options.logFile !== undefined) sinks.push(createJsonlSink({ path: options.logFile }));
  const onFinish = createLogHook({
    sinks,
    source: options.source,
    logContent: options.logContent ?? options.source === "chat",
    onSinkError: options.onSinkError ?? (({ message }) => process.stderr.write(`llmstream: ${message}\n`)),
  });
  return {
    onFinish: sinks.length === 0 ? () => {} : onFinish,
    sinks,
    async close() {
      for (const sink of sinks) {
        try {
          await sink.close();
        } catch {
          // Closing after a failure can fail again; the failure was already reported.
        }
      }
    },
  };
}
