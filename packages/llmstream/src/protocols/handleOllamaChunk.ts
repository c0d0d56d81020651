import type { ServerTimings } from "../types/result.js";
import { isRecord } from "../utils/isRecord.js";
import type { DeltaSink } from "./DeltaSink.js";
import { notAnObject } from "./notAnObject.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

const NS_PER_MS = 1e6;

/**
 * Feeds one parsed Ollama native `/api/chat` line into the sink. The line is wire JSON of any shape:
 * every field is checked before it is used, and a line that is not an object throws a
 * `ProtocolError` (`invalid-chunk`).
 */
export function handleOllamaChunk(chunk: unknown, sink: DeltaSink): void {
  if (!isRecord(chunk)) throw notAnObject("Ollama chat line", chunk);
  sink.chunk();
  if (chunk.error !== undefined && chunk.error !== null) {
    sink.serverError(serverErrorMessage(chunk) ?? "unknown error");
    return;
  }
  if (typeof chunk.model === "string") sink.meta(chunk.model);
  const message = chunk.message;
  if (isRecord(message)) {
    if (typeof message.thinking === "string" && message.thinking !== "") sink.reasoning(message.thinking);
    if (typeof message.content === "string" && message.content !== "") sink.text(message.content);
    const calls: unknown = message.tool_calls;
    if (Array.isArray(calls)) {
      for (let c = 0; c < calls.length; c++) {
        const call: unknown = calls[c];
        if (!isRecord(call)) continue;
        const fn = isRecord(call.function) ? call.function : {};
        const args = fn.arguments;
        sink.toolCall({
          ...(typeof call.id === "string" ? { id: call.id } : {}),
          name: typeof fn.name === "string" ? fn.name : "",
          arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
        });
      }
    }
  }
  if (chunk.done === true) {
    sink.finish(typeof chunk.done_reason === "string" ? chunk.done_reason : "stop");
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

function ollamaTimings(c: Record<string, unknown>): ServerTimings {
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
