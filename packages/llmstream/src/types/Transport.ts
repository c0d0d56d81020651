/** One HTTP request as the client makes it. */
export interface TransportRequest {
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Connect timeout, ms; the transport rejects with a `TimeoutError` of kind `connect`. */
  connectTimeoutMs?: number;
}

/** The response: status, headers (lower-case names) and the body as it arrives. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  /**
   * The body's bytes as they arrive (strings are accepted too, and taken as UTF-8 text). A character
   * may be split between chunks; the reader joins it. Ending iteration early (`return()`) closes the
   * connection.
   */
  body: AsyncIterable<Uint8Array | string>;
  /** Closes the connection at once; the server sees the socket close. Safe to call twice. */
  close(): void;
}

/**
 * Synchronous access a body's iterator may offer besides `next()` (the Node transport's does), so
 * input that has arrived reaches the consumer without a promise round per network read, and a
 * waiting consumer is woken from inside the transport's own data event.
 */
export interface BodyPushAccess {
  /**
   * Fast lane, twin of `next()`: the next chunk that has already arrived, or `undefined` when none is
   * buffered (`next()` says why).
   */
  take(): Uint8Array | string | undefined;
  /**
   * Fast lane, twin of a pending `next()`: calls `wake` once, synchronously, when a chunk, the end or
   * an error arrives; returns false (and never calls it) when nothing can arrive any more, or a chunk
   * is already buffered.
   */
  wait(wake: () => void): boolean;
}

/**
 * Makes one HTTP request. Rejects with a `ConnectionError` when no response arrived, or with the
 * signal's reason when aborted. Injectable for tests and unusual runtimes.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;
