import type { ChatMessage, StreamChatOptions } from "../types/options.js";

/**
 * The body of `POST /v1/responses` for {@link StreamChatOptions}: the chat messages become `input`
 * items, `maxTokens` becomes `max_output_tokens`; `options.body` is merged last.
 *
 * Leading system messages become `instructions` (Ollama and llama.cpp turn it into the first system
 * message); a system message later in the conversation stays an input item with role `system`.
 * Assistant tool calls become `function_call` items and `tool` messages `function_call_output` items.
 * Nothing is stored on the server (`store: false`): llmstream sends the whole conversation each time.
 */
export function responsesRequestBody(
  options: StreamChatOptions,
  streaming: boolean,
): Record<string, unknown> {
  const instructions: string[] = [];
  let leading = true;
  const input: Record<string, unknown>[] = [];
  for (const message of options.messages) {
    if (leading && message.role === "system" && typeof message.content === "string") {
      instructions.push(message.content);
      continue;
    }
    leading = false;
    input.push(...inputItems(message));
  }
  const body: Record<string, unknown> = { model: options.model, input, stream: streaming, store: false };
  if (instructions.length > 0) body.instructions = instructions.join("\n\n");
  if (options.maxTokens !== undefined) body.max_output_tokens = options.maxTokens;
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  return { ...body, ...options.body };
}

/** Options the Responses API has no field for: they are not sent, and the result says so. */
export function unsupportedResponsesOptions(options: StreamChatOptions): string[] {
  const warnings: string[] = [];
  if (options.stop !== undefined && !hasBodyKey(options, "stop")) {
    warnings.push("The Responses API has no stop sequences: stop was not sent");
  }
  if (options.seed !== undefined && !hasBodyKey(options, "seed")) {
    warnings.push("The Responses API has no seed: seed was not sent");
  }
  return warnings;
}

function hasBodyKey(options: StreamChatOptions, key: string): boolean {
  return options.body !== undefined && key in options.body;
}

interface WireToolCall {
  id?: string;
  function?: { name?: string; arguments?: unknown };
}

/** One chat message as Responses input items (a message can also carry function calls). */
function inputItems(message: ChatMessage): Record<string, unknown>[] {
  if (message.role === "tool") {
    return [
      {
        type: "function_call_output",
        call_id: typeof message.tool_call_id === "string" ? message.tool_call_id : "",
        output: typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? ""),
      },
    ];
  }
  const items: Record<string, unknown>[] = [];
  const content = inputContent(message);
  if (content !== undefined) items.push({ role: message.role, content });
  if (message.role === "assistant" && Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls as WireToolCall[]) {
      const args = call.function?.arguments;
      items.push({
        type: "function_call",
        call_id: call.id ?? "",
        name: call.function?.name ?? "",
        arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
      });
    }
  }
  return items;
}

/** A string stays a string; chat content parts become `input_text`/`output_text`/`input_image` parts. */
function inputContent(message: ChatMessage): string | Record<string, unknown>[] | undefined {
  const content = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const textType = message.role === "assistant" ? "output_text" : "input_text";
  const parts: Record<string, unknown>[] = [];
  for (const part of content as Record<string, unknown>[]) {
    if (part?.type === "text" && typeof part.text === "string")
      parts.push({ type: textType, text: part.text });
    else if (part?.type === "image_url") {
      const image = part.image_url as { url?: string; detail?: string } | string | undefined;
      const url = typeof image === "string" ? image : image?.url;
      const detail = typeof image === "object" ? image?.detail : undefined;
      if (typeof url === "string")
        parts.push({ type: "input_image", image_url: url, detail: detail ?? "auto" });
    } else parts.push(part);
  }
  return parts;
}
