import type { DeltaSink } from "./DeltaSink.js";
import { llamaCppTimings, type WireTimings } from "./llamaCppTimings.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

// Loose views of the wire JSON: servers differ, so every field is optional and checked before use.
interface WireToolCall {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null };
}
interface WireDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: WireToolCall[] | null;
}
interface WireChoice {
  index?: number;
  delta?: WireDelta;
  message?: WireDelta;
  finish_reason?: string | null;
}
interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}
interface WireChunk {
  id?: string;
  model?: string;
  choices?: WireChoice[];
  usage?: WireUsage | null;
  timings?: WireTimings;
  error?: unknown;
}

/**
 * Feeds one parsed OpenAI chat-completion chunk (or a whole non-streamed `chat.completion`) into the
 * sink. Only choice 0 is read: llmstream streams one answer per request.
 */
export function handleOpenAiChunk(chunk: WireChunk, sink: DeltaSink): void {
  sink.chunk();
  if (chunk.error !== undefined && chunk.error !== null) {
    const code = typeof chunk.error === "object" ? (chunk.error as { code?: unknown }).code : undefined;
    sink.serverError(
      serverErrorMessage(chunk) ?? "unknown error",
      undefined,
      typeof code === "string" ? code : undefined,
    );
    return;
  }
  // Plain property reads, no object spreads: this runs once per chunk on the hot path.
  const model = chunk.model;
  const id = chunk.id;
  if (typeof model === "string" || typeof id === "string") {
    sink.meta(typeof model === "string" ? model : undefined, typeof id === "string" ? id : undefined);
  }
  const choices = chunk.choices;
  if (Array.isArray(choices)) {
    for (let i = 0; i < choices.length; i++) {
      const choice = choices[i] as WireChoice;
      if ((choice.index ?? 0) !== 0) continue;
      const delta = choice.delta ?? choice.message;
      if (delta !== undefined && delta !== null) {
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (typeof reasoning === "string" && reasoning !== "") sink.reasoning(reasoning);
        const content = delta.content;
        if (typeof content === "string" && content !== "") sink.text(content);
        const calls = delta.tool_calls;
        if (Array.isArray(calls)) {
          for (let c = 0; c < calls.length; c++) {
            const call = calls[c] as WireToolCall;
            const fn = call.function;
            sink.toolCallFragment({
              index: typeof call.index === "number" ? call.index : c,
              ...(typeof call.id === "string" ? { id: call.id } : {}),
              ...(typeof fn?.name === "string" ? { name: fn.name } : {}),
              ...(typeof fn?.arguments === "string" ? { arguments: fn.arguments } : {}),
            });
          }
        }
      }
      if (typeof choice.finish_reason === "string" && choice.finish_reason !== "")
        sink.finish(choice.finish_reason);
    }
  }
  const usage = chunk.usage;
  if (usage !== undefined && usage !== null && typeof usage === "object") {
    sink.usage(
      {
        ...(typeof usage.prompt_tokens === "number" ? { promptTokens: usage.prompt_tokens } : {}),
        ...(typeof usage.completion_tokens === "number" ? { completionTokens: usage.completion_tokens } : {}),
        ...(typeof usage.total_tokens === "number" ? { totalTokens: usage.total_tokens } : {}),
        ...(typeof usage.completion_tokens_details?.reasoning_tokens === "number"
          ? { reasoningTokens: usage.completion_tokens_details.reasoning_tokens }
          : {}),
      },
      "server",
    );
  }
  if (chunk.timings !== undefined && chunk.timings !== null) sink.timings(llamaCppTimings(chunk.timings));
}
