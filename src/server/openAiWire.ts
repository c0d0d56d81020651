import type { ChatResult, Usage } from "../types/result.js";

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

/** One SSE event carrying `data` as JSON text. */
export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

export const sseDone = "data: [DONE]\n\n";
