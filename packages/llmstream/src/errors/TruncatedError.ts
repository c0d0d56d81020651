import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The stream ended before the server said it was finished; `partial` holds what arrived. */
export class TruncatedError extends LlmstreamError {
  override name = "TruncatedError";

  constructor(message: string, options: LlmstreamErrorOptions = {}) {
    super("truncated", message, options);
  }
}
