import { MOCK_CREATED } from "./openAiFrames.js";
import type { ChatRequestInfo } from "./readChatRequest.js";

/**
 * Which server's Responses habits the events imitate.
 * - `openai`: full `response` objects, `sequence_number`, `output_index`, reasoning as summary text.
 * - `ollama`: like OpenAI, reasoning as `reasoning_summary_text`, a call's arguments in one delta,
 *   `reasoning_tokens: 0` always, and `response.completed` also when the token limit cut the answer.
 * - `vllm`: reasoning as `reasoning_text`, and a cut answer as `response.completed` whose `status`
 *   is `incomplete`.
 * - `llamacpp`: no `sequence_number` and no `output_index`, `response` objects reduced to
 *   `{id, object, status}` until the end, calls identified by `call_id`, no
 *   `function_call_arguments.done`, `timings` on `response.completed`, and `response.completed` also
 *   when the token limit cut the answer.
 */
export type ResponsesFlavor = "openai" | "ollama" | "vllm" | "llamacpp";

/** One output item of the final response, as the stream built it. */
export type ResponsesOutputItem = Record<string, unknown>;

/** Builds the typed SSE events of one Responses stream, numbering them as it goes. */
export interface ResponsesFrames {
  readonly flavor: ResponsesFlavor;
  readonly id: string;
  /** `event: <type>` + `data: {type, …fields, sequence_number}` and the blank line. */
  event(type: string, fields: Record<string, unknown>): string;
  /** The `response` object with this status and output (usage only when given). */
  response(
    status: string,
    output: ResponsesOutputItem[],
    extra?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** The `usage` object for `outputTokens` generated tokens. */
  usage(outputTokens: number, reasoningTokens?: number): Record<string, unknown>;
}

/** Creates the event builders for one request; `id` should be unique per request. */
export function createResponsesFrames(
  info: ChatRequestInfo,
  options: { id: string; flavor?: ResponsesFlavor },
): ResponsesFrames {
  const flavor = options.flavor ?? "openai";
  let sequence = 0;
  return {
    flavor,
    id: options.id,
    event(type, fields) {
      const data: Record<string, unknown> = { type, ...fields };
      if (flavor === "llamacpp") delete data.output_index;
      else data.sequence_number = sequence++;
      return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    },
    response(status, output, extra = {}) {
      if (flavor === "llamacpp" && status === "in_progress") {
        return { id: options.id, object: "response", status };
      }
      return {
        id: options.id,
        object: "response",
        created_at: MOCK_CREATED,
        status,
        error: null,
        incomplete_details: null,
        instructions: null,
        max_output_tokens: info.maxTokens ?? null,
        model: info.model,
        output,
        parallel_tool_calls: true,
        previous_response_id: null,
        store: false,
        temperature: 1,
        text: { format: { type: "text" } },
        tool_choice: "auto",
        tools: [],
        top_p: 1,
        truncation: "disabled",
        usage: null,
        metadata: {},
        ...extra,
      };
    },
    usage(outputTokens, reasoningTokens = 0) {
      const usage: Record<string, unknown> = {
        input_tokens: info.promptTokens,
        output_tokens: outputTokens,
        total_tokens: info.promptTokens + outputTokens,
        input_tokens_details: { cached_tokens: 0 },
      };
      // llama.cpp sends no output_tokens_details; Ollama sends reasoning_tokens 0 whatever happened.
      if (flavor !== "llamacpp") {
        usage.output_tokens_details = { reasoning_tokens: flavor === "ollama" ? 0 : reasoningTokens };
      }
      return usage;
    },
  };
}
