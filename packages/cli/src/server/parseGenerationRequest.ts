import type { ChatMessage } from "llmstream";
import { ApiError } from "./ApiError.js";
import type { Endpoint, GenerationRequest } from "./GenerationRequest.js";
import { chatExtraFromResponses } from "./responsesExtra.js";

/** Options of {@link parseGenerationRequest}. */
export interface ParseOptions {
  /** `--max-tokens-cap`: larger `max_tokens` are lowered to it, and a request without one gets it. */
  maxTokensCap?: number;
  /** The model used when the request names none (embedded mode). */
  defaultModel?: string;
}

const roles = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
/** Chat fields passed to relay upstreams untouched. */
const passThrough = [
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "reasoning_effort",
  "user",
] as const;
/** Most messages, stop strings and characters per stop string accepted. */
const maxMessages = 10_000;
const maxStops = 16;

/**
 * Validates a `/v1/chat/completions`, `/v1/completions` or `/v1/responses` body into a
 * {@link GenerationRequest}. Pure: throws an {@link ApiError} 400 naming the field at fault.
 */
export function parseGenerationRequest(
  endpoint: Endpoint,
  body: unknown,
  options: ParseOptions = {},
): GenerationRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("The request body must be a JSON object", undefined);
  const input = body as Record<string, unknown>;
  const model = optionalString(input, "model") ?? options.defaultModel;
  if (model === undefined || model === "") throw invalid("The request must name a model", "model");
  const stream = optionalBoolean(input, "stream") ?? false;
  const streamOptions = input.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && typeof streamOptions !== "object")
    throw invalid("stream_options must be an object", "stream_options");
  const includeUsage =
    stream && (streamOptions as { include_usage?: unknown } | null | undefined)?.include_usage === true;
  const n = input.n;
  if (n !== undefined && n !== null && n !== 1) throw invalid("Only n = 1 is supported", "n");

  let messages: ChatMessage[];
  let maxTokens: number | undefined;
  const extra: Record<string, unknown> = {};
  if (endpoint === "chat") {
    messages = parseMessages(input.messages);
    maxTokens = optionalCount(input, "max_completion_tokens") ?? optionalCount(input, "max_tokens");
    for (const key of passThrough) if (input[key] !== undefined) extra[key] = input[key];
  } else if (endpoint === "completions") {
    messages = [{ role: "user", content: parsePrompt(input.prompt) }];
    maxTokens = optionalCount(input, "max_tokens");
  } else {
    if (input.previous_response_id !== undefined && input.previous_response_id !== null)
      throw invalid(
        "previous_response_id is not supported: this server is stateless; send the whole conversation in input",
        "previous_response_id",
      );
    messages = parseResponsesInput(input.input, input.instructions);
    maxTokens = optionalCount(input, "max_output_tokens");
    Object.assign(extra, chatExtraFromResponses(input));
    const tools = parseResponsesTools(input.tools);
    if (tools !== undefined) extra.tools = tools;
    if (input.tool_choice !== undefined) extra.tool_choice = responsesToolChoice(input.tool_choice);
  }
  const cap = options.maxTokensCap;
  if (cap !== undefined && (maxTokens === undefined || maxTokens > cap)) maxTokens = cap;

  const request: GenerationRequest = { endpoint, model, messages, stream, includeUsage, extra };
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(input, "temperature", 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(input, "top_p", 0, 1);
  if (topP !== undefined) request.topP = topP;
  const seed = input.seed;
  if (seed !== undefined && seed !== null) {
    if (typeof seed !== "number" || !Number.isInteger(seed)) throw invalid("seed must be an integer", "seed");
    request.seed = seed;
  }
  const stop = parseStop(input.stop);
  if (stop !== undefined) request.stop = stop;
  return request;
}

function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid("messages must be a non-empty array", "messages");
  if (value.length > maxMessages) throw invalid(`At most ${maxMessages} messages are accepted`, "messages");
  return value.map((message, index) => {
    const where = `messages[${index}]`;
    if (typeof message !== "object" || message === null || Array.isArray(message))
      throw invalid(`${where} must be an object`, where);
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== "string" || !roles.has(role))
      throw invalid(`${where}.role must be one of ${[...roles].join(", ")}`, `${where}.role`);
    const hasToolCalls = Array.isArray((message as Record<string, unknown>).tool_calls);
    if (typeof content === "string") return message as ChatMessage;
    if (Array.isArray(content)) {
      content.forEach((part, partIndex) => {
        if (
          typeof part !== "object" ||
          part === null ||
          typeof (part as { type?: unknown }).type !== "string"
        )
          throw invalid(`${where}.content[${partIndex}] must be an object with a type`, `${where}.content`);
      });
      return message as ChatMessage;
    }
    if ((content === null || content === undefined) && role === "assistant" && hasToolCalls)
      return { ...(message as ChatMessage), content: null };
    throw invalid(`${where}.content must be a string or an array of content parts`, `${where}.content`);
  });
}

function parsePrompt(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0];
  throw invalid("prompt must be a string (or an array of exactly one string)", "prompt");
}

/** Text of Responses content: a string or parts of type `input_text` / `output_text` / `text`. */
function responsesText(content: unknown, where: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(`${where} must be a string or an array of parts`, where);
  const texts: string[] = [];
  for (const part of content) {
    const text = (part as { text?: unknown } | null)?.text;
    if (typeof text !== "string") throw invalid(`${where} holds a part without text`, where);
    texts.push(text);
  }
  return texts.join("");
}

function parseResponsesInput(input: unknown, instructions: unknown): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof instructions === "string" && instructions !== "")
    messages.push({ role: "system", content: instructions });
  if (typeof input === "string") {
    messages.push({ role: "user", content: input });
    return messages;
  }
  if (!Array.isArray(input) || input.length === 0)
    throw invalid("input must be a string or a non-empty array of items", "input");
  input.forEach((item, index) => {
    const where = `input[${index}]`;
    if (typeof item !== "object" || item === null) throw invalid(`${where} must be an object`, where);
    const record = item as Record<string, unknown>;
    const type = record.type ?? "message";
    if (type === "message") {
      if (typeof record.role !== "string" || !roles.has(record.role))
        throw invalid(`${where}.role must be one of ${[...roles].join(", ")}`, `${where}.role`);
      messages.push({ role: record.role, content: responsesText(record.content, `${where}.content`) });
    } else if (type === "function_call") {
      messages.push({
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: String(record.call_id ?? record.id ?? `call_${index}`),
            type: "function",
            function: { name: String(record.name ?? ""), arguments: String(record.arguments ?? "") },
          },
        ],
      });
    } else if (type === "function_call_output") {
      const output = record.output;
      messages.push({
        role: "tool",
        tool_call_id: String(record.call_id ?? ""),
        content: typeof output === "string" ? output : JSON.stringify(output ?? ""),
      });
    } else if (type === "reasoning") {
      // Earlier reasoning is not sent back to the model, as chat templates drop it too.
    } else {
      throw invalid(`${where}.type "${String(type)}" is not supported`, `${where}.type`);
    }
  });
  return messages;
}

/** Responses function tools `{type, name, parameters}` as chat tools `{type, function: {…}}`. */
function parseResponsesTools(tools: unknown): unknown[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid("tools must be an array", "tools");
  return tools.map((tool, index) => {
    const record = tool as Record<string, unknown> | null;
    if (record?.type !== "function" || typeof record.name !== "string")
      throw invalid(`tools[${index}] must be a function tool with a name`, `tools[${index}]`);
    return {
      type: "function",
      function: {
        name: record.name,
        ...(record.description === undefined ? {} : { description: record.description }),
        ...(record.parameters === undefined ? {} : { parameters: record.parameters }),
        ...(record.strict === undefined ? {} : { strict: record.strict }),
      },
    };
  });
}

function responsesToolChoice(choice: unknown): unknown {
  if (typeof choice === "object" && choice !== null && (choice as { type?: unknown }).type === "function")
    return { type: "function", function: { name: (choice as { name?: unknown }).name } };
  return choice;
}

function parseStop(value: unknown): string | string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length <= maxStops && value.every((s) => typeof s === "string"))
    return value as string[];
  throw invalid(`stop must be a string or an array of at most ${maxStops} strings`, "stop");
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${key} must be a string`, key);
  return value;
}

function optionalBoolean(input: Record<string, unknown>, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(`${key} must be true or false`, key);
  return value;
}

function optionalCount(input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw invalid(`${key} must be a positive integer`, key);
  return value;
}

function optionalNumber(
  input: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw invalid(`${key} must be a number from ${min} to ${max}`, key);
  return value;
}

function invalid(message: string, param: string | undefined): ApiError {
  return new ApiError(400, message, param === undefined ? {} : { param });
}
