import type { MockRequestRecord } from "./MockRequestRecord.js";

/** The request fields the built-in scenarios honour, read defensively from any JSON body. */
export interface ChatRequestInfo {
  /** The requested model, echoed back. @defaultValue "mock-model" */
  model: string;
  /** OpenAI defaults to `false` when absent, Ollama to `true`; this is what the body said or that default. */
  stream: boolean;
  /** `stream_options.include_usage === true`. */
  includeUsage: boolean;
  /** Whether the body carried a `stream_options` key at all. */
  hasStreamOptions: boolean;
  /**
   * `max_tokens`, `max_completion_tokens`, Responses `max_output_tokens` or Ollama's
   * `options.num_predict`, when a positive integer.
   */
  maxTokens: number | undefined;
  /** A rough, deterministic prompt size: whitespace-separated words over all message contents. */
  promptTokens: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const positiveInteger = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;

/** Reads the fields scenarios care about; `ollama` selects Ollama's defaults (`stream` true). */
export function readChatRequest(record: MockRequestRecord, options: { ollama: boolean }): ChatRequestInfo {
  const body = isRecord(record.body) ? record.body : {};
  const streamOptions = body.stream_options;
  const ollamaOptions = isRecord(body.options) ? body.options : {};
  let promptTokens = 0;
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== "").length;
  // Chat `messages`, or Responses `input` (a string or items) and `instructions`.
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  for (const message of messages) {
    if (isRecord(message) && typeof message.content === "string") promptTokens += words(message.content);
  }
  if (typeof body.input === "string") promptTokens += words(body.input);
  if (typeof body.instructions === "string") promptTokens += words(body.instructions);
  return {
    model: typeof body.model === "string" && body.model !== "" ? body.model : "mock-model",
    stream: typeof body.stream === "boolean" ? body.stream : options.ollama,
    includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    hasStreamOptions: "stream_options" in body,
    maxTokens:
      positiveInteger(body.max_tokens) ??
      positiveInteger(body.max_completion_tokens) ??
      positiveInteger(body.max_output_tokens) ??
      positiveInteger(ollamaOptions.num_predict),
    promptTokens: Math.max(1, promptTokens),
  };
}

/** A numeric request header (`x-mock-chunks`, `x-mock-interval-ms`, `x-mock-delay-ms`), if valid. */
export function numericHeader(record: MockRequestRecord, name: string): number | undefined {
  const raw = record.headers[name];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}
