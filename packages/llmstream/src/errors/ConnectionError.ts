import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** No HTTP response: the connection was refused, reset, or could not be made. */
export class ConnectionError extends LlmstreamError {
  override name = "ConnectionError";

  constructor(message: string, options: LlmstreamErrorOptions = {}) {
    super("connection", message, options);
  }
}
