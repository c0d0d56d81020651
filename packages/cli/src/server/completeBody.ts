import type { ChatResult } from "llmstream";
import { responseObject, responsesFinal, responsesOutput, responsesUsage } from "./createResponsesEncoder.js";
import type { Endpoint } from "./GenerationRequest.js";
import { wireFinishReason, wireUsage } from "./openAiWire.js";
import type { EncoderContext } from "./StreamEncoder.js";

/**
 * The non-streamed answer of each endpoint: a `chat.completion` (with `reasoning_content` and
 * `tool_calls` when there are any), a `text_completion`, or a Responses `response` object.
 */
export function completeBody(endpoint: Endpoint, context: EncoderContext, result: ChatResult): unknown {
  if (endpoint === "responses") {
    const { status, extra } = responsesFinal(result);
    return responseObject(context, status, responsesOutput(context, result), {
      ...extra,
      usage: responsesUsage(result),
    });
  }
  const base = { id: context.id, created: context.created, model: context.model, system_fingerprint: null };
  if (endpoint === "completions") {
    return {
      ...base,
      object: "text_completion",
      choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: wireFinishReason(result) }],
      usage: wireUsage(result.usage),
    };
  }
  const message: Record<string, unknown> = {
    role: "assistant",
    content: result.text === "" && result.toolCalls.length > 0 ? null : result.text,
    refusal: null,
  };
  if (result.reasoning !== "") message.reasoning_content = result.reasoning;
  if (result.toolCalls.length > 0)
    message.tool_calls = result.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  return {
    ...base,
    object: "chat.completion",
    choices: [{ index: 0, message, logprobs: null, finish_reason: wireFinishReason(result) }],
    usage: wireUsage(result.usage),
  };
}
