import type { ServerError } from "llmstream";
import { isLlmstreamError } from "llmstream";

/**
 * `llmstream serve` reports an upstream's failure after the first token in-band, with a code that
 * says what happened behind it: shown as that kind of failure, not as a generic server error.
 */
const RELAYED: Record<string, string> = {
  upstream_truncated: "The answer was cut off",
  upstream_unreachable: "Connection to the model server failed",
  upstream_timeout: "Timed out",
  upstream_protocol_error: "The model server sent something unreadable",
};

/**
 * What a 401 means here: `serve --api-key` guards `/v1/*`. The page then asks for the key (and keeps
 * it for the tab only), so the message says so.
 */
export const API_KEY_NEEDED =
  "This server needs an API key (it was started with --api-key or LLMSTREAM_API_KEY). Enter it in the API key field: this tab keeps it until it is closed, and sends it only to this server.";

/** A 401 although the page sent a key: the key is wrong, or the server was restarted with another. */
export const API_KEY_REFUSED =
  "The server refused this API key. Enter the key it was started with (--api-key or LLMSTREAM_API_KEY).";

/**
 * What went wrong with an answer, in words a person can act on. `keySent`: the request carried an API
 * key (a 401 then means that key was refused).
 */
export function describeError(error: unknown, keySent = false): string {
  if (!isLlmstreamError(error)) return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
  switch (error.code) {
    case "connection":
      return `Connection failed: ${error.message}. Is the server running?`;
    case "http":
      if (error.status === 401) return `HTTP 401: ${keySent ? API_KEY_REFUSED : API_KEY_NEEDED}`;
      return `HTTP ${error.status ?? "error"}: ${error.serverMessage ?? error.message}`;
    case "timeout":
      return `Timed out: ${error.message}`;
    case "truncated":
      return `The answer was cut off: ${error.message}`;
    case "server": {
      const relayed = RELAYED[(error as ServerError).serverCode ?? ""];
      if (relayed !== undefined) return `${relayed}: ${error.serverMessage ?? error.message}`;
      return `The server reported an error: ${error.serverMessage ?? error.message}`;
    }
    case "protocol":
      return `The server sent something unreadable: ${error.message}`;
    default:
      return error.message;
  }
}
