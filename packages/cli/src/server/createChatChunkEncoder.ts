import type { StreamEvent } from "llmstream";
import type { ApiError } from "./ApiError.js";
import { sseData, sseDone, wireFinishReason, wireTimings, wireUsage } from "./openAiWire.js";
import type { EncoderContext, StreamEncoder } from "./StreamEncoder.js";

/**
 * The `/v1/chat/completions` stream: a role chunk `{role:"assistant",content:""}` first, one chunk
 * per event (content, `reasoning_content`, whole tool calls as tool-call deltas), one chunk with
 * `finish_reason` (with llama.cpp's `timings` when the upstream sent server timings), then — only with `include_usage` — a `choices: []` usage chunk (every other chunk
 * then carries `usage: null`), then `data: [DONE]`. Every chunk has the same id, created and model.
 *
 * @example
 * ```ts
 * const encoder = createChatChunkEncoder({ id: "chatcmpl-1", created: 1, model: "m", includeUsage: false });
 * write(encoder.start());
 * for await (const event of stream) write(encoder.event(event));
 * ```
 */
export function createChatChunkEncoder(context: EncoderContext): StreamEncoder {
  // The constant part of every chunk, serialised once.
  const head = `{"id":${JSON.stringify(context.id)},"object":"chat.completion.chunk","created":${context.created},"model":${JSON.stringify(context.model)},"system_fingerprint":null,"choices":[`;
  const tail = context.includeUsage ? `],"usage":null}` : "]}";
  let usage: Record<string, unknown> | undefined;
  const chunk = (delta: string, finishReason: string | null = null, extra = "") =>
    sseData(
      `${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishReason === null ? "null" : JSON.stringify(finishReason)}}${tail.slice(0, -1)}${extra}}`,
    );
  // A content event is the hot path (one per token): its SSE text around the delta, built once.
  const before = `data: ${head}{"index":0,"delta":`;
  const after = `,"logprobs":null,"finish_reason":null}${tail}\n\n`;

  return {
    start: () => chunk(`{"role":"assistant","content":""}`),
    event(event: StreamEvent): string {
      switch (event.type) {
        case "text":
          return `${before}{"content":${JSON.stringify(event.text)}}${after}`;
        case "reasoning":
          return `${before}{"reasoning_content":${JSON.stringify(event.text)}}${after}`;
        case "tool_call":
          return chunk(
            JSON.stringify({
              tool_calls: [
                {
                  index: event.index,
                  id: event.id,
                  type: "function",
                  function: { name: event.name, arguments: event.arguments },
                },
              ],
            }),
          );
        case "usage":
          usage = wireUsage(event.usage);
          return "";
        case "done": {
          // Where llama.cpp puts them: on the last chunk, top level.
          const timings = wireTimings(event.serverTimings);
          const extra = timings === undefined ? "" : `,"timings":${JSON.stringify(timings)}`;
          const parts = [chunk("{}", wireFinishReason(event), extra)];
          if (context.includeUsage)
            parts.push(sseData(`${head}],"usage":${JSON.stringify(usage ?? wireUsage(event.usage))}}`));
          parts.push(sseDone);
          return parts.join("");
        }
        default:
          return "";
      }
    },
    error: (error: ApiError) => sseData(JSON.stringify(error.toBody())),
  };
}
