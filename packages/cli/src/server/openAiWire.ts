import type { ChatResult, ServerTimings, Usage } from "llmstream";

/** OpenAI's `finish_reason` for a result: the server's own when it was not a known one. */
export function wireFinishReason(result: Pick<ChatResult, "finishReason" | "rawFinishReason">): string {
  switch (result.finishReason) {
    case "stop":
    case "length":
    case "tool_calls":
    case "content_filter":
      return result.finishReason;
    default:
      return result.rawFinishReason ?? "stop";
  }
}

/** OpenAI chat `usage`. */
export function wireUsage(usage: Usage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/**
 * llama.cpp's `timings` object for the server's own figures (the inverse of the client's
 * `llamaCppTimings`), so a chat UI behind the relay still shows them; `undefined` when none is known.
 * Figures llama.cpp has no field for (Ollama's load and total time) are left out.
 */
export function wireTimings(timings: ServerTimings | undefined): Record<string, number> | undefined {
  if (timings === undefined) return undefined;
  const out: Record<string, number> = {};
  if (timings.promptTokens !== undefined) out.prompt_n = timings.promptTokens;
  if (timings.promptMs !== undefined) out.prompt_ms = timings.promptMs;
  if (timings.promptTokensPerSecond !== undefined) out.prompt_per_second = timings.promptTokensPerSecond;
  if (timings.completionTokens !== undefined) out.predicted_n = timings.completionTokens;
  if (timings.completionMs !== undefined) out.predicted_ms = timings.completionMs;
  if (timings.completionTokensPerSecond !== undefined)
    out.predicted_per_second = timings.completionTokensPerSecond;
  if (timings.cachedTokens !== undefined) out.cache_n = timings.cachedTokens;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** One SSE event carrying `data` as JSON text. */
export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

export const sseDone = "data: [DONE]\n\n";
