import type { ServerTimings } from "../types/result.js";
import type { DeltaSink } from "./DeltaSink.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

interface WireOllamaToolCall {
  id?: string;
  function?: { name?: string; arguments?: unknown };
}
interface WireOllamaChunk {
  model?: string;
  message?: { content?: string; thinking?: string; tool_calls?: WireOllamaToolCall[] };
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  error?: unknown;
}

const NS_PER_MS = 1e6;

/** Feeds one parsed Ollama native `/api/chat` line into the sink. */
export function handleOllamaChunk(chunk: WireOllamaChunk, sink: DeltaSink): void {
  sink.chunk();
  if (chunk.error !== undefined && chunk.error !== null) {
    sink.serverError(serverErrorMessage(chunk) ?? "unknown error");
    return;
  }
  if (typeof chunk.model === "string") sink.meta(chunk.model);
  const message = chunk.message;
  if (message !== undefined && message !== null) {
    if (typeof message.thinking === "string" && message.thinking !== "") sink.reasoning(message.thinking);
    if (typeof message.content === "string" && message.content !== "") sink.text(message.content);
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        const args = call.function?.arguments;
        sink.toolCall({
          ...(typeof call.id === "string" ? { id: call.id } : {}),
          name: call.function?.name ?? "",
          arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
        });
      }
    }
  }
  if (chunk.done === true) {
    sink.finish(chunk.done_reason ?? "stop");
    if (typeof chunk.eval_count === "number" || typeof chunk.prompt_eval_count === "number") {
      sink.usage(
        {
          ...(typeof chunk.prompt_eval_count === "number" ? { promptTokens: chunk.prompt_eval_count } : {}),
          ...(typeof chunk.eval_count === "number" ? { completionTokens: chunk.eval_count } : {}),
        },
        "server",
      );
    }
    sink.timings(ollamaTimings(chunk));
    sink.end();
  }
}

function ollamaTimings(c: WireOllamaChunk): ServerTimings {
  const out: ServerTimings = {};
  if (typeof c.prompt_eval_count === "number") out.promptTokens = c.prompt_eval_count;
  if (typeof c.prompt_eval_duration === "number") out.promptMs = c.prompt_eval_duration / NS_PER_MS;
  if (typeof c.eval_count === "number") out.completionTokens = c.eval_count;
  if (typeof c.eval_duration === "number") out.completionMs = c.eval_duration / NS_PER_MS;
  if (typeof c.load_duration === "number") out.loadMs = c.load_duration / NS_PER_MS;
  if (typeof c.total_duration === "number") out.totalMs = c.total_duration / NS_PER_MS;
  if (out.promptTokens !== undefined && out.promptMs)
    out.promptTokensPerSecond = out.promptTokens / (out.promptMs / 1000);
  if (out.completionTokens !== undefined && out.completionMs) {
    out.completionTokensPerSecond = out.completionTokens / (out.completionMs / 1000);
  }
  return out;
}
