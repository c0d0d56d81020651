import type { StreamMetrics } from "./metrics.js";

/**
 * Why generation ended, normalised across servers.
 *
 * - `stop`: the model finished (an end token or a stop sequence).
 * - `length`: the `maxTokens` limit (or the context) was reached.
 * - `tool_calls`: the model asked for tool calls.
 * - `content_filter`: the server's filter cut the answer.
 * - `aborted`: the caller aborted (signal, `.abort()`, or `break`); the text is partial.
 * - `error`: the stream failed; the text is partial (only seen on `error.partial`).
 * - `other`: a finish reason this library does not know; see `rawFinishReason`.
 */
export type FinishReason =
  | "stop"
  | "length"
  | "tool_calls"
  | "content_filter"
  | "aborted"
  | "error"
  | "other";

/**
 * Where the token counts come from.
 *
 * - `server`: the server reported them (OpenAI `usage`, llama.cpp `timings`, Ollama `eval_count`).
 * - `engine`: the embedded engine's own tokenizer counted them.
 * - `chunks`: the server reported nothing; completion tokens are the number of token-carrying chunks
 *   (exact for servers that send one token per chunk) and prompt tokens are estimated.
 * - `estimate`: the server reported nothing and chunks carried several tokens each; both counts are
 *   estimated from the text at ~4 characters per token.
 */
export type UsageSource = "server" | "engine" | "chunks" | "estimate";

/** Token counts for one request, with where they came from. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Reasoning tokens when the server breaks them out (OpenAI `completion_tokens_details`). */
  reasoningTokens?: number;
  source: UsageSource;
}

/** One tool call, assembled from its streamed fragments. `arguments` is the JSON text as sent. */
export interface ToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/**
 * The server's own timing figures, normalised to milliseconds and tokens per second.
 * llama.cpp sends these as `timings`, Ollama native as nanosecond `*_duration` fields.
 */
export interface ServerTimings {
  promptTokens?: number;
  promptMs?: number;
  promptTokensPerSecond?: number;
  completionTokens?: number;
  completionMs?: number;
  completionTokensPerSecond?: number;
  loadMs?: number;
  totalMs?: number;
  cachedTokens?: number;
}

/** The final result of one streamed request: everything received, with counts and timings. */
export interface ChatResult {
  /** The whole answer text (content), exactly the concatenation of the `text` events. */
  text: string;
  /** The whole reasoning text, exactly the concatenation of the `reasoning` events. */
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The finish reason exactly as the server sent it, when it sent one. */
  rawFinishReason?: string;
  usage: Usage;
  metrics: StreamMetrics;
  serverTimings?: ServerTimings;
  /** The model name the server reported (or the requested one). */
  model?: string;
  /** The response id the server reported. */
  id?: string;
  /** Things that went differently from what was asked, e.g. a retry without `stream_options`. */
  warnings: string[];
}
