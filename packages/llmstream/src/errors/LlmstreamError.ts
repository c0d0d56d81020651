import type { ChatResult } from "../types/result.js";

/**
 * The stable error codes. Scripts may switch on them.
 *
 * - `connection`: no HTTP response (refused, reset, DNS, TLS, connect timeout).
 * - `http`: the server answered with a non-2xx status.
 * - `timeout`: the first-token, idle or total timeout fired.
 * - `protocol`: the response could not be understood (bad JSON, unknown content type, oversized line).
 * - `server`: the server reported an error inside the stream.
 * - `truncated`: the stream ended before the server said it was finished.
 * - `aborted`: the caller aborted the request.
 * - `model`: the embedded engine's model file is missing, unreadable, not GGUF, truncated, failed to load,
 *   or could not be downloaded (`ModelError`, with a `reason`).
 */
export type ErrorCode =
  | "connection"
  | "http"
  | "timeout"
  | "protocol"
  | "server"
  | "truncated"
  | "aborted"
  | "model";

const marker = Symbol.for("llmstream.error");

/** Context every llmstream error may carry. */
export interface LlmstreamErrorOptions {
  url?: string;
  status?: number;
  /** The server's own message, shortened. */
  serverMessage?: string;
  /** What arrived before the failure. */
  partial?: ChatResult;
  cause?: unknown;
}

/**
 * The base class of every error llmstream raises. Switch on `code`; read `partial` for the text that
 * arrived before the failure.
 */
export class LlmstreamError extends Error {
  override name = "LlmstreamError";
  readonly code: ErrorCode;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly serverMessage: string | undefined;
  partial: ChatResult | undefined;

  constructor(code: ErrorCode, message: string, options: LlmstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.url = options.url;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
    this.partial = options.partial;
    Object.defineProperty(this, marker, { value: true });
  }

  /** A plain object for logs and `--json` output (the partial result is left out). */
  toJSON(): { code: ErrorCode; message: string; status?: number; url?: string; serverMessage?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.url === undefined ? {} : { url: this.url }),
      ...(this.serverMessage === undefined ? {} : { serverMessage: this.serverMessage }),
    };
  }
}

/** True for any llmstream error, even one from another copy of the library (checks a global symbol). */
export function isLlmstreamError(value: unknown): value is LlmstreamError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
