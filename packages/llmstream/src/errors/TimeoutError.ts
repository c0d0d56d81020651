import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/** Which timeout fired. */
export type TimeoutKind = "connect" | "first-token" | "idle" | "total";

/** The first-token, idle, total or connect timeout fired. `kind` says which one. */
export class TimeoutError extends LlmstreamError {
  override name = "TimeoutError";
  readonly kind: TimeoutKind;
  readonly timeoutMs: number;

  constructor(kind: TimeoutKind, timeoutMs: number, message: string, options: LlmstreamErrorOptions = {}) {
    super("timeout", message, options);
    this.kind = kind;
    this.timeoutMs = timeoutMs;
  }
}
