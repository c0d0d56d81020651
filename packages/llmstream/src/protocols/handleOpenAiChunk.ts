import { isRecord } from "../utils/isRecord.js";
import type { DeltaSink } from "./DeltaSink.js";
import { llamaCppTimings } from "./llamaCppTimings.js";
import { notAnObject } from "./notAnObject.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

/**
 * Feeds one parsed OpenAI chat-completion chunk (or a whole non-streamed `chat.completion`) into the
 * sink. Only choice 0 is read: llmstream streams one answer per request. The chunk is wire JSON of
 * any shape: every field is checked before it is used, and a chunk that is not an object throws a
 * `ProtocolError` (`invalid-chunk`).
 */
export function handleOpenAiChunk(chunk: unknown, sink: DeltaSink): void {
  if (!isRecord(chunk)) throw notAnObject("chat-completion chunk", chunk);
  sink.chunk();
  const error = chunk.error;
  if (error !== undefined && error !== null) {
    const code = isRecord(error) ? error.code : undefined;
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
      const choice: unknown = choices[i];
      if (!isRecord(choice) || (choice.index ?? 0) !== 0) continue;
      const delta = choice.delta ?? choice.message;
      if (isRecord(delta)) {
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (typeof reasoning === "string" && reasoning !== "") sink.reasoning(reasoning);
        const content = delta.content;
        if (typeof content === "string" && content !== "") sink.text(content);
        const calls = delta.tool_calls;
        if (Array.isArray(calls)) {
          for (let c = 0; c < calls.length; c++) {
            const call: unknown = calls[c];
            if (!isRecord(call)) continue;
            const fn = isRecord(call.function) ? call.function : {};
            sink.toolCallFragment({
              index: typeof call.index === "number" ? call.index : c,
              ...(typeof call.id === "string" ? { id: call.id } : {}),
              ...(typeof fn.name === "string" ? { name: fn.name } : {}),
              ...(typeof fn.arguments === "string" ? { arguments: fn.arguments } : {}),
            });
          }
        }
      }
      const finishReason = choice.finish_reason;
      if (typeof finishReason === "string" && finishReason !== "") sink.finish(finishReason);
    }
  }
  const usage = chunk.usage;
  if (isRecord(usage)) {
    const details = usage.completion_tokens_details;
    const reasoningTokens = isRecord(details) ? details.reasoning_tokens : undefined;
    sink.usage(
      {
        ...(typeof usage.prompt_tokens === "number" ? { promptTokens: usage.prompt_tokens } : {}),
        ...(typeof usage.completion_tokens === "number" ? { completionTokens: usage.completion_tokens } : {}),
        ...(typeof usage.total_tokens === "number" ? { totalTokens: usage.total_tokens } : {}),
        ...(typeof reasoningTokens === "number" ? { reasoningTokens } : {}),
      },
      "server",
    );
  }
  if (isRecord(chunk.timings)) sink.timings(llamaCppTimings(chunk.timings));
}
