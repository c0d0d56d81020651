import type { StreamEvent } from "llmstream";
import type { ApiError } from "./ApiError.js";

/**
 * Turns the core's events into one API's SSE text. Pure and synchronous: each call returns the
 * exact bytes to write now ("" when the event adds nothing on this wire), so the server writes each
 * event the moment it is decoded.
 */
export interface StreamEncoder {
  /** The preamble, written when the response starts (role chunk, `response.created`). */
  start(): string;
  /** One event; `done` also writes the finish, the usage (when asked) and the terminator. */
  event(event: StreamEvent): string;
  /** The in-band error that ends a stream after the status line was sent (never a clean end). */
  error(error: ApiError): string;
}

/** What every encoder is told about the response it writes. */
export interface EncoderContext {
  /** The response id, the same on every chunk. */
  id: string;
  /** Unix seconds, the same on every chunk. */
  created: number;
  /** The model name, the same on every chunk. */
  model: string;
  /** The client sent `stream_options.include_usage`. */
  includeUsage: boolean;
}
