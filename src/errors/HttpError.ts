import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The server answered with a non-2xx HTTP status. */
export class HttpError extends LlmstreamError {
  override name = "HttpError";

  constructor(message: string, options: LlmstreamErrorOptions = {}) {
    super("http", message, options);
  }
}
