import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The server reported an error inside the stream (an error object or an SSE `event: error`). */
export class ServerError extends LlmstreamError {
  override name = "ServerError";

  constructor(message: string, options: LlmstreamErrorOptions = {}) {
    super("server", message, options);
  }
}
