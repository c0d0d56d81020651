import { isLlmstreamError } from "../../errors/LlmstreamError.js";

/** What went wrong with an answer, in words a person can act on. */
export function describeError(error: unknown): string {
  if (!isLlmstreamError(error)) return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
  switch (error.code) {
    case "connection":
      return `Connection failed: ${error.message}. Is the server running?`;
    case "http":
      return `HTTP ${error.status ?? "error"}: ${error.serverMessage ?? error.message}`;
    case "timeout":
      return `Timed out: ${error.message}`;
    case "truncated":
      return `The answer was cut off: ${error.message}`;
    case "server":
      return `The server reported an error: ${error.serverMessage ?? error.message}`;
    case "protocol":
      return `The server sent something unreadable: ${error.message}`;
    default:
      return error.message;
  }
}
