import type { ChatRequestInfo } from "./readChatRequest.js";

/** Fixed so that recorded transcripts are byte-identical between runs. */
export const MOCK_CREATED = 1_700_000_000;

/** Which server's habits a chunk imitates. */
export type OpenAiFlavor = "openai" | "vllm" | "llamacpp";

/** Token counts as OpenAI reports them. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Builds `chat.completion.chunk` objects and SSE frames for one request. */
export interface OpenAiFrames {
  info: ChatRequestInfo;
  /** One chunk with a single choice. `finishReason` defaults to `null`. */
  chunk(delta: Record<string, unknown>, options?: ChunkOptions): Record<string, unknown>;
  /** The trailing usage chunk: `choices: []` plus `usage`. */
  usageChunk(completionTokens: number, extra?: Record<string, unknown>): Record<string, unknown>;
  usage(completionTokens: number): OpenAiUsage;
  /** The non-streaming `chat.completion` object. */
  completion(message: Record<string, unknown>, finishReason: string, completionTokens: number): unknown;
}

/** Options of {@link OpenAiFrames.chunk}. */
export interface ChunkOptions {
  finishReason?: string | null;
  /** Extra top-level fields (`obfuscation`, `timings`, `usage`). */
  extra?: Record<string, unknown>;
}

/** `data: <json>` plus the blank line that ends an SSE event. */
export const sseData = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

/** The OpenAI end-of-stream sentinel. */
export const SSE_DONE = "data: [DONE]\n\n";

/** A keep-alive comment line as proxies and llama.cpp-style servers send. */
export const SSE_PING = ": ping\n\n";

/** Creates the chunk builders for one request; `id` should be unique per request. */
export function createOpenAiFrames(info: ChatRequestInfo, options: { id: string; flavor?: OpenAiFlavor }) {
  const flavor = options.flavor ?? "openai";
  const usage = (completionTokens: number): OpenAiUsage => ({
    prompt_tokens: info.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: info.promptTokens + completionTokens,
  });
  const head = () => ({
    id: options.id,
    object: "chat.completion.chunk",
    created: MOCK_CREATED,
    model: info.model,
    system_fingerprint: flavor === "llamacpp" ? "b6000-mock" : "fp_mock",
  });
  const frames: OpenAiFrames = {
    info,
    usage,
    chunk(delta, chunkOptions = {}) {
      const choice: Record<string, unknown> = {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: chunkOptions.finishReason ?? null,
      };
      // vLLM reports which stop string ended generation next to finish_reason.
      if (flavor === "vllm") choice.stop_reason = null;
      // OpenAI puts `usage: null` on every chunk once include_usage is requested.
      const usageField = flavor === "openai" && info.includeUsage ? { usage: null } : {};
      return { ...head(), choices: [choice], ...usageField, ...chunkOptions.extra };
    },
    usageChunk(completionTokens, extra = {}) {
      return { ...head(), choices: [], usage: usage(completionTokens), ...extra };
    },
    completion(message, finishReason, completionTokens) {
      return {
        id: options.id,
        object: "chat.completion",
        created: MOCK_CREATED,
        model: info.model,
        system_fingerprint: "fp_mock",
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage: usage(completionTokens),
      };
    },
  };
  return frames;
}
