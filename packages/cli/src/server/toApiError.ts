import { isLlmstreamError } from "llmstream";
import { ApiError } from "./ApiError.js";

/** `Retry-After` seconds sent when the upstream gave none. */
const defaultRetryAfterSeconds = 1;

/**
 * What the server calls the timeouts a timeout message tells the reader to raise (the library's
 * message says `timeouts.firstTokenMs`; a CLI says its flag instead).
 */
export type TimeoutSettingNames = Partial<
  Record<"connectMs" | "firstTokenMs" | "idleMs" | "totalMs", string>
>;

/**
 * The HTTP answer for a failure of the engine or an upstream: a client error of the upstream keeps
 * its status (400, 401, 404, 429 with `Retry-After`), a timeout is 504, every other upstream
 * failure (5xx, connection, bad stream) is 502, and anything else is 500. `upstream` names who failed.
 */
export function toApiError(error: unknown, upstream?: string, timeoutNames?: TimeoutSettingNames): ApiError {
  if (error instanceof ApiError) return error;
  const who = upstream === undefined ? "The engine" : `Upstream ${upstream}`;
  if (!isLlmstreamError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new ApiError(500, `Internal error: ${message}`, { cause: error });
  }
  const detail = error.serverMessage ?? error.message;
  switch (error.code) {
    case "http": {
      const status = error.status ?? 502;
      if (status === 429) {
        const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
        const seconds =
          retryAfterMs === undefined ? defaultRetryAfterSeconds : Math.ceil(retryAfterMs / 1000);
        return new ApiError(429, `${who} is busy: ${detail}`, {
          code: "upstream_rate_limited",
          headers: { "retry-after": String(seconds) },
          cause: error,
        });
      }
      if (status >= 400 && status < 500)
        return new ApiError(status, detail, { code: "upstream_rejected", cause: error });
      return new ApiError(502, `${who} failed with HTTP ${status}: ${detail}`, {
        code: "upstream_http_error",
        cause: error,
      });
    }
    case "timeout":
      return new ApiError(504, `${who} timed out: ${renameTimeouts(error.message, timeoutNames)}`, {
        code: "upstream_timeout",
        cause: error,
      });
    case "connection":
      // Also a connection reset mid-answer, so not "could not be reached": the client's message says which.
      return new ApiError(502, `${who}: the connection failed: ${error.message}`, {
        code: "upstream_unreachable",
        cause: error,
      });
    case "truncated":
      return new ApiError(502, `${who} ended the answer early: ${error.message}`, {
        code: "upstream_truncated",
        cause: error,
      });
    case "protocol":
      return new ApiError(502, `${who} sent a stream that could not be read: ${error.message}`, {
        code: "upstream_protocol_error",
        cause: error,
      });
    case "server":
      return new ApiError(502, `${who} reported an error: ${detail}`, {
        code: "upstream_error",
        cause: error,
      });
    case "model": {
      const reason = (error as { reason?: string }).reason;
      if (reason === "prompt-too-long")
        return new ApiError(400, error.message, {
          param: "messages",
          code: "context_length_exceeded",
          cause: error,
        });
      return new ApiError(500, error.message, { code: "engine_error", cause: error });
    }
    case "aborted":
      return new ApiError(499, "The request was aborted", {
        type: "server_error",
        code: "aborted",
        cause: error,
      });
    default:
      return new ApiError(500, error.message, { cause: error });
  }
}

function renameTimeouts(message: string, names: TimeoutSettingNames | undefined): string {
  if (names === undefined) return message;
  return message.replace(
    /\btimeouts\.(connectMs|firstTokenMs|idleMs|totalMs)\b/g,
    (term, key: keyof TimeoutSettingNames) => names[key] ?? term,
  );
}
