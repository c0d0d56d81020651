import type { IncomingHttpHeaders } from "node:http";

/**
 * What the mock server saw of one request and how the response went. Times are milliseconds on the
 * `performance.timeOrigin + performance.now()` clock (comparable across processes on one machine).
 */
export interface MockRequestRecord {
  /** Position in `MockServer.requests`. */
  index: number;
  method: string;
  /** The path as requested, including any `/s/<name>` prefix. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or `undefined` when the body was empty or not JSON. */
  body: unknown;
  /** The body as text; empty when it exceeded the server's `maxRequestBytes` (default 8 MiB). */
  rawBody: string;
  /** Name of the scenario that answered (`"custom"` for an enqueued scenario object or function). */
  scenario: string;
  startedAt: number;
  /** HTTP status sent, or `undefined` when the socket was destroyed before headers. */
  status: number | undefined;
  /** Number of `write` steps (and keep-alive writes) that reached `res.write`. */
  writes: number;
  bytesWritten: number;
  /** The client closed the socket before the response ended. */
  clientClosedEarly: boolean;
  /** The scenario itself destroyed the socket (`destroy` step). */
  serverDestroyed: boolean;
  /** When the connection of this response closed, or `undefined` while it is open. */
  closedAt: number | undefined;
}
