import type { SseBody } from "./SseBody.js";

/**
 * A request as the generation routes read it. The web `fetch(Request)` path and the node:http
 * adapter's direct path both hand one over, so both run the same routing, guards and streaming
 * code; the adapter's costs no web `Request`, `Headers`, body stream or second `AbortController`.
 */
export interface AppRequest {
  /** The Host header, or the URL's host. */
  readonly host: string;
  /** A header by its lower-case name, repeated ones joined with ", " (as `Headers.get` does). */
  header(name: string): string | null;
  /**
   * The body as JSON: an `ApiError` 413 beyond `maxBytes` (its message names `limitSetting`), 400
   * when it is not JSON.
   */
  json(maxBytes: number, limitSetting?: string): Promise<unknown>;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /**
   * The controller behind `signal`, when the app may abort it itself (shutdown, a reader that
   * stopped): then the request has one controller end to end instead of one per layer.
   */
  readonly controller?: AbortController;
}

/** The answer of a generation route, before it becomes a `Response` or a node:http response. */
export interface AppReply {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or the event stream of a streamed answer. */
  body: string | SseBody;
}

/**
 * Serves a `POST` to `path` without a web `Request` when `path` is a generation path (exactly:
 * no query, no encoding); undefined for every other path, which then goes through `fetch`.
 */
export type DirectRoute = (path: string, request: AppRequest) => Promise<AppReply> | undefined;

/**
 * The direct route of each app's own `fetch`. Keyed by the function, so a wrapper that replaces
 * `fetch` (`{ ...app, fetch }`) is served through its `fetch`, never around it.
 */
export const directRoutes = new WeakMap<(request: Request) => Promise<Response>, DirectRoute>();
