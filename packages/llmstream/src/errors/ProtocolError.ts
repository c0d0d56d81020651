import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/**
 * What exactly could not be understood.
 *
 * - `line-too-long`: one SSE line/event or NDJSON line exceeded the parser's `maxLineLength` limit (characters).
 * - `invalid-json`: a data payload was not valid JSON.
 * - `invalid-chunk`: valid JSON, but not the shape the protocol defines.
 * - `unexpected-content-type`: the response was neither an event stream, NDJSON nor JSON.
 * - `not-http`: something answered on the port, but not in HTTP (an SSH or database server, a TLS
 *   port reached with http://).
 */
export type ProtocolErrorReason =
  | "line-too-long"
  | "invalid-json"
  | "invalid-chunk"
  | "unexpected-content-type"
  | "not-http";

/** The response could not be understood: bad JSON, an unexpected content type, or a line over the size limit. */
export class ProtocolError extends LlmstreamError {
  override name = "ProtocolError";
  readonly reason: ProtocolErrorReason;

  constructor(reason: ProtocolErrorReason, message: string, options: LlmstreamErrorOptions = {}) {
    super("protocol", message, options);
    this.reason = reason;
  }
}
