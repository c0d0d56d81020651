import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** The server reported an error inside the stream (an error object or an SSE `event: error`). */
export class ServerError extends LlmstreamError {
  override name = "ServerError";
  /**
   * The error object's own `code` when it sent one as a string (e.g. `llmstream serve`'s
   * `upstream_truncated`), so a client can say what happened behind a relay.
   */
  readonly serverCode: string | undefined;

  constructor(message: string, options: LlmstreamErrorOptions & { serverCode?: string } = {}) {
    super("server", message, options);
    this.serverCode = options.serverCode;
  }
}
