import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The caller aborted the request. */
export class AbortedError extends LlmstreamError {
  override name = "AbortedError";

  constructor(message: string, options: LlmstreamErrorOptions = {}) {
    super("aborted", message, options);
  }
}
