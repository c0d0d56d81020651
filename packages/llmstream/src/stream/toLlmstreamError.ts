import { AbortedError } from "../errors/AbortedError.js";
import { ConnectionError } from "../errors/ConnectionError.js";
import { isLlmstreamError, type LlmstreamError } from "../errors/LlmstreamError.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import { TruncatedError } from "../errors/TruncatedError.js";
import type { StreamEvent } from "../types/events.js";
import type { ChatResult } from "../types/result.js";

/**
 * Turns anything a source, a transport or an abort threw into an `LlmstreamError`, so a bare
 * TypeError never escapes: an llmstream error (HTTP, timeout, abort, …) as it is, a Node system
 * error (`ECONNRESET`, …) as a `ConnectionError`, anything else as a `ProtocolError`.
 */
export function toLlmstreamError(thrown: unknown, url: string): LlmstreamError {
  if (isLlmstreamError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new ConnectionError(`Connection to ${url} failed (${code}): ${message}`, { url, cause: thrown });
  }
  return new ProtocolError("invalid-chunk", `Could not read the response from ${url}: ${message}`, {
    url,
    cause: thrown,
  });
}

/** The error a caller's abort ends the stream with: its reason when that is an llmstream error. */
export function callerAbortError(reason: unknown, url: string): LlmstreamError {
  return isLlmstreamError(reason)
    ? reason
    : new AbortedError("The request was aborted by the caller", { url, cause: reason });
}

/** The error a consumer that stopped reading (`break`, `return()`) ends the stream with. */
export function consumerStoppedError(url: string): AbortedError {
  return new AbortedError("The consumer stopped reading the stream", { url });
}

/** The error a stream ends with when its input ended before the server said it was finished. */
export function truncatedError(url: string): TruncatedError {
  return new TruncatedError(
    `The stream from ${url} ended before the server said it was finished (no finish reason, no end marker); the text received is kept`,
    { url },
  );
}

/**
 * Gives `error` what arrived before it (`partial`), and returns the `error` event that reports it
 * to the consumer.
 */
export function failureEvent(error: LlmstreamError, partial: ChatResult): StreamEvent {
  error.partial = partial;
  const event: StreamEvent = { type: "error", code: error.code, message: error.message, error };
  if (error.status !== undefined) event.status = error.status;
  return event;
}
