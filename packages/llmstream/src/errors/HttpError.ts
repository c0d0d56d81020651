import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The server answered with a non-2xx HTTP status. `status` and `serverMessage` say which and why. */
export class HttpError extends LlmstreamError {
  override name = "HttpError";
  /** The server's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: LlmstreamErrorOptions & { retryAfterMs?: number } = {}) {
    super("http", message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
