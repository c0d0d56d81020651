import type { FinishInfo } from "llmstream";
import { type RecordSource, type RequestRecord, toRequestRecord } from "./RequestRecord.js";

/** What a caller knows about a request beyond its `FinishInfo`. */
export interface RecordExtra {
  /** The relay upstream that answered (`serve`). */
  upstream?: string;
}

import type { RequestSink } from "./RequestSink.js";

/** What {@link LogHookOptions.onSinkError} receives. */
export interface SinkErrorInfo {
  error: unknown;
  /** The failing sink; `undefined` when the record itself could not be built. */
  sink: RequestSink | undefined;
  /** A one-line message for stderr, naming the sink and saying that the answer is unaffected. */
  message: string;
}

/** Options of {@link createLogHook}. */
export interface LogHookOptions {
  sinks: readonly RequestSink[];
  source: RecordSource;
  /** Keep prompt and answer text in the records. */
  logContent: boolean;
  /** Called once per failing sink, at its first failure; later failures of that sink are silent. */
  onSinkError?: (info: SinkErrorInfo) => void;
}

/**
 * Makes an `onFinish` hook that turns each finished request into a record and writes it to every
 * sink. It never throws: a failing sink (disk full, locked or read-only file) is reported once
 * through `onSinkError`, the other sinks still get the record, and the stream is never affected.
 * A failing sink is still tried for later records, so it recovers when the disk does.
 *
 * @example
 * ```ts
 * const sink = createSqliteSink();
 * const onFinish = createLogHook({
 *   sinks: [sink],
 *   source: "chat",
 *   logContent: true,
 *   onSinkError: ({ message }) => process.stderr.write(`${message}\n`),
 * });
 * await streamChat({ baseURL, model, messages, onFinish }).result;
 * sink.close();
 * ```
 */
export function createLogHook(options: LogHookOptions): (info: FinishInfo, extra?: RecordExtra) => void {
  const reported = new Set<RequestSink | undefined>();

  function report(error: unknown, sink: RequestSink | undefined): void {
    if (reported.has(sink)) return;
    reported.add(sink);
    const what = sink === undefined ? "The request log" : (sink.name ?? "A request log sink");
    const reason = error instanceof Error ? error.message : String(error);
    const message = `${what} failed: ${reason}. The answer is unaffected; requests are not being logged there (check the path, free space and permissions, or turn the log off with log: false)`;
    try {
      options.onSinkError?.({ error, sink, message });
    } catch {
      // The reporter itself failed (e.g. stderr closed); nothing is left to tell.
    }
  }

  return (info, extra) => {
    let record: RequestRecord;
    try {
      record = toRequestRecord(info, {
        source: options.source,
        logContent: options.logContent,
        ...(extra?.upstream === undefined ? {} : { upstream: extra.upstream }),
      });
    } catch (error) {
      report(error, undefined);
      return;
    }
    for (const sink of options.sinks) {
      try {
        sink.write(record);
      } catch (error) {
        report(error, sink);
      }
    }
  };
}
