import type { FinishInfo } from "llmstream";
import { createJsonlSink } from "./createJsonlSink.js";
import { createLogHook, type RecordExtra, type SinkErrorInfo } from "./createLogHook.js";
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
  onFinish: (info: FinishInfo, extra?: RecordExtra) => void;
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
  // What the user can do about each sink, in the words of the options and variables that chose it (the CLI names its flags).
  const fixes = new Map<RequestSink, string>();
  if (options.log !== false && !disabledByEnv) {
    const sqlite = createSqliteSink({ path: options.path ?? defaultLogPath({ env }) });
    sinks.push(sqlite);
    fixes.set(
      sqlite,
      options.path === undefined
        ? "set LLMSTREAM_HOME to a writable folder, or turn the log off with log: false or LLMSTREAM_NO_LOG=1"
        : "choose a writable path, or turn the log off with log: false",
    );
  }
  if (options.logFile !== undefined) {
    const jsonl = createJsonlSink({ path: options.logFile });
    sinks.push(jsonl);
    fixes.set(jsonl, "choose another logFile path, in a folder that exists and is writable");
  }
  const onSinkError =
    options.onSinkError ?? (({ message }: SinkErrorInfo) => process.stderr.write(`llmstream: ${message}\n`));
  const onFinish = createLogHook({
    sinks,
    source: options.source,
    logContent: options.logContent ?? options.source === "chat",
    onSinkError: (info) => {
      const fix = info.sink === undefined ? undefined : fixes.get(info.sink);
      if (fix === undefined || info.sink === undefined) return onSinkError(info);
      const reason = info.error instanceof Error ? info.error.message : String(info.error);
      const message = `${info.sink.name ?? "A request log sink"} failed: ${reason}. The answer is unaffected; ${fix}`;
      onSinkError({ ...info, message });
    },
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
