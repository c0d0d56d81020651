import type { StreamEvent } from "llmstream";
import type { ApiError } from "./ApiError.js";
import { sseData, sseDone, wireFinishReason, wireUsage } from "./openAiWire.js";
import type { EncoderContext, StreamEncoder } from "./StreamEncoder.js";

/**
 * The legacy `/v1/completions` stream: `text_completion` chunks with `choices[0].text`, a chunk with
 * `finish_reason`, a `choices: []` usage chunk only with `include_usage`, then `data: [DONE]`.
 * Reasoning and tool calls have no place in this API and are left out.
 */
export function createCompletionChunkEncoder(context: EncoderContext): StreamEncoder {
  const head = `{"id":${JSON.stringify(context.id)},"object":"text_completion","created":${context.created},"model":${JSON.stringify(context.model)},"system_fingerprint":null,"choices":[`;
  const tail = context.includeUsage ? `],"usage":null}` : "]}";
  let usage: Record<string, unknown> | undefined;
  const chunk = (text: string, finishReason: string | null = null) =>
    sseData(
      `${head}{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${finishReason === null ? "null" : JSON.stringify(finishReason)}}${tail}`,
    );
  return {
    start: () => "",
    event(event: StreamEvent): string {
      if (event.type === "text") return chunk(event.text);
      if (event.type === "usage") usage = wireUsage(event.usage);
      if (event.type !== "done") return "";
      const parts = [chunk("", wireFinishReason(event))];
      if (context.includeUsage)
        parts.push(sseData(`${head}],"usage":${JSON.stringify(usage ?? wireUsage(event.usage))}}`));
      parts.push(sseDone);
      return parts.join("");
    },
    error: (error: ApiError) => sseData(JSON.stringify(error.toBody())),
  };
}
