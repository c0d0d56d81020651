import type { RequestRecord } from "./RequestRecord.js";

/**
 * Where request records go. Implement it to ship records anywhere; pass sinks to
 * {@link createLogHook}.
 *
 * - `write` is called once per finished request, synchronously, at the end of the stream. It may
 *   throw: the log hook catches the error, reports it once, and the answer goes on. Keep it fast;
 *   queue the work if it is slow.
 * - `close` flushes and releases files; it is called once, after the last `write`.
 *
 * @example
 * ```ts
 * const consoleSink: RequestSink = {
 *   name: "console",
 *   write: (record) => console.error(record.model, record.e2eMs),
 *   close: () => {},
 * };
 * ```
 */
export interface RequestSink {
  /** Names the sink in error messages, e.g. `SQLite log /home/me/.local/share/llmstream/logs.db`. */
  readonly name?: string;
  write(record: RequestRecord): void;
  close(): Promise<void> | void;
}
