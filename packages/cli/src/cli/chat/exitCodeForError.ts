import { isLlmstreamError } from "llmstream";
import { ExitCode } from "../exitCodes.js";

/**
 * The process exit code for an error: 3 connection, 4 HTTP status, 5 timeout, 6 protocol /
 * truncated / server error, 130 aborted, and 1 for anything else (e.g. a bad model file).
 */
export function exitCodeForError(error: unknown): number {
  if (!isLlmstreamError(error)) return ExitCode.failure;
  switch (error.code) {
    case "connection":
      return ExitCode.connection;
    case "http":
      return ExitCode.http;
    case "timeout":
      return ExitCode.timeout;
    case "protocol":
    case "truncated":
    case "server":
      return ExitCode.protocol;
    case "aborted":
      return ExitCode.interrupted;
    default:
      return ExitCode.failure;
  }
}
