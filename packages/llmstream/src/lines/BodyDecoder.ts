/**
 * A response body's wire format, decoded step by step: bytes go in with `push`, and each `decode()`
 * reads one line and calls the decoder's callbacks with what it completed. Synchronous and free of
 * I/O, so the reader can decode only when the consumer asks for the next event (nothing decoded
 * waits in memory). One per wire format: `createSseBodyDecoder`, `createNdjsonBodyDecoder`. Its
 * methods do not use `this`: the HTTP reader hands `decode` itself to the stream.
 */
export interface BodyDecoder {
  /** Queues a chunk of the body's bytes (kept, not copied; do not modify it afterwards). */
  push(chunk: Uint8Array): void;
  /** The body ended: a last line without a line break (and an SSE event without its blank line) is still read. */
  end(): void;
  /**
   * Reads the next complete line, calls the callbacks it completes (none, for a line inside an SSE
   * event) and returns true; returns false when no complete line is buffered and nothing is left to
   * dispatch. Throws a `ProtocolError` (`line-too-long`) when a line exceeds its limit, and whatever a
   * callback throws.
   */
  decode(): boolean;
}
