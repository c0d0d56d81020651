import type { ServerTimings, UsageSource } from "../types/result.js";

/** A fragment of a streamed tool call (OpenAI `delta.tool_calls[i]`). */
export interface ToolCallFragment {
  index: number;
  id?: string;
  name?: string;
  /** A fragment of the JSON arguments text; may be empty. */
  arguments?: string;
}

/** Token counts as a producer reports them; any may be missing. */
export interface UsageReport {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  reasoningTokens?: number;
}

/**
 * What a protocol adapter (or the embedded engine) tells the stream as it decodes a response.
 * The stream turns these calls into events, the final result and metrics. Calls are synchronous and
 * cheap; adapters call them in the order things arrived.
 */
export interface DeltaSink {
  /** One protocol chunk arrived (an SSE data event, an NDJSON line, an engine batch). */
  chunk(): void;
  /** Answer text. May hold several tokens; `tokens` is how many when the producer knows it. */
  text(text: string, tokens?: number): void;
  /** Reasoning text, with the same rules as `text`. */
  reasoning(text: string, tokens?: number): void;
  /** A fragment of a streamed tool call, assembled by `index` (then `id`). */
  toolCallFragment(fragment: ToolCallFragment): void;
  /** A whole tool call (Ollama native sends them whole). */
  toolCall(call: { id?: string; name: string; arguments: string }): void;
  /** The server's finish reason, raw (`stop`, `length`, `tool_calls`, `eos`, …). */
  finish(rawReason: string): void;
  /** Token counts. */
  usage(usage: UsageReport, source: UsageSource): void;
  /** The server's own timings. */
  timings(timings: ServerTimings): void;
  /** The model name and/or response id the server reported (called per chunk: only the first count). */
  meta(model: string | undefined, id?: string | undefined): void;
  /** The server reported an error inside the stream (`code`: the error object's own, when a string). */
  serverError(message: string, status?: number, code?: string): void;
  /** Something went differently from what was asked; it ends up in `result.warnings`. */
  warning(message: string): void;
  /** The protocol's explicit end marker (`[DONE]`, Ollama `done: true`). */
  end(): void;
}
