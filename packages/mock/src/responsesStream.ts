import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { SSE_PING } from "./openAiFrames.js";
import { readChatRequest } from "./readChatRequest.js";
import { createResponsesFrames, type ResponsesFlavor, type ResponsesOutputItem } from "./responsesFrames.js";
import type { ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";
import type { StreamEnding } from "./StreamEnding.js";
import { SSE_HEADERS } from "./scenarioHelpers.js";

/** A function call the mock streams: its name and the argument text in pieces. */
export interface MockFunctionCall {
  name: string;
  arguments: readonly string[];
}

/**
 * How a Responses stream ends: the {@link StreamEnding}s of the chat dialects (`no-done` is the same
 * as `complete`, Responses has no `[DONE]`), plus
 * - `incomplete`: `response.incomplete` with reason `max_output_tokens` (in the flavor's own way),
 * - `failed`: `response.failed` with an error object,
 * - `error`: an `error` event (`event: error`, `{type:"error", code, message, param}`).
 */
export type ResponsesEnding = StreamEnding | "incomplete" | "failed" | "error";

/** Options of {@link responsesStream}. */
export interface ResponsesStreamOptions {
  /** Answer tokens; a function is called at send time. @defaultValue MOCK_ANSWER_TOKENS */
  tokens?: readonly (string | (() => string))[];
  /** Reasoning tokens streamed before the answer. */
  reasoning?: readonly string[];
  /** Function calls streamed before the answer (then `tokens` defaults to none). */
  calls?: readonly MockFunctionCall[];
  /** Delay before every answer token after the first. @defaultValue 0 */
  intervalMs?: number;
  /** Delay before the first event after the headers, filled with `: ping` every 50 ms. */
  firstTokenDelayMs?: number;
  /** Write `: ping` after every `pingEvery` answer tokens; 0 disables. @defaultValue 0 */
  pingEvery?: number;
  /** @defaultValue "complete" */
  ending?: ResponsesEnding;
  /** Leave `usage` null in the final response. */
  noUsage?: boolean;
  /** @defaultValue the `x-mock-flavor` header (`openai`, `ollama`, `vllm`, `llamacpp`), else "openai" */
  flavor?: ResponsesFlavor;
}

const KEEP_ALIVE_EVERY_MS = 50;
const SERVER_ERROR = {
  code: "server_error",
  message: "The server had an error while processing your request.",
};

const resolveToken = (token: string | (() => string)): string =>
  typeof token === "function" ? token() : token;

/**
 * A stream of the OpenAI Responses API (`POST /v1/responses`) in the habits of one server: the
 * lifecycle events, a reasoning item, function-call items and a message item with its deltas, then
 * the terminal event. Honours the request's `model`, `stream` and `max_output_tokens`.
 */
export function responsesStream(
  context: ScenarioContext,
  options: ResponsesStreamOptions = {},
): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: false });
  const flavor = options.flavor ?? requestedFlavor(context);
  const frames = createResponsesFrames(info, { id: `resp_mock_${context.request.index}`, flavor });
  const calls = options.calls ?? [];
  const allTokens = options.tokens ?? (calls.length > 0 ? [] : MOCK_ANSWER_TOKENS);
  const reasoning = options.reasoning ?? [];
  const limited = info.maxTokens !== undefined && info.maxTokens < allTokens.length;
  const tokens = limited ? allTokens.slice(0, info.maxTokens) : allTokens;
  let ending = options.ending ?? "complete";
  if (limited && (ending === "complete" || ending === "no-done")) ending = "incomplete";
  const generated = tokens.length + reasoning.length + calls.length;
  const sent: string[] = [];
  const output: ResponsesOutputItem[] = [];
  const steps: Step[] = [];
  const write = (type: string, fields: () => Record<string, unknown>) =>
    steps.push({ write: () => frames.event(type, fields()) });
  let outputIndex = 0;

  // Reasoning item.
  if (reasoning.length > 0) {
    const index = outputIndex++;
    const itemId = `rs_mock_${context.request.index}`;
    const text = reasoning.join("");
    const summaryStyle = flavor === "openai" || flavor === "ollama";
    const item = summaryStyle
      ? { id: itemId, type: "reasoning", summary: [{ type: "summary_text", text }] }
      : { id: itemId, type: "reasoning", summary: [], content: [{ type: "reasoning_text", text }] };
    output.push(item);
    write("response.output_item.added", () => ({
      output_index: index,
      item: { id: itemId, type: "reasoning", summary: [], ...(summaryStyle ? {} : { content: [] }) },
    }));
    if (flavor === "openai") {
      const part = { type: "summary_text", text: "" };
      write("response.reasoning_summary_part.added", () => ({
        item_id: itemId,
        output_index: index,
        summary_index: 0,
        part,
      }));
    }
    const deltaType = summaryStyle
      ? "response.reasoning_summary_text.delta"
      : "response.reasoning_text.delta";
    const where = summaryStyle ? { summary_index: 0 } : { content_index: 0 };
    for (const delta of reasoning)
      write(deltaType, () => ({ item_id: itemId, output_index: index, ...where, delta }));
    if (flavor !== "llamacpp") {
      write(deltaType.replace(".delta", ".done"), () => ({
        item_id: itemId,
        output_index: index,
        ...where,
        text,
      }));
    }
    if (flavor === "openai") {
      const part = { type: "summary_text", text };
      write("response.reasoning_summary_part.done", () => ({
        item_id: itemId,
        output_index: index,
        summary_index: 0,
        part,
      }));
    }
    write("response.output_item.done", () => ({ output_index: index, item }));
  }

  // Function-call items.
  calls.forEach((call, n) => {
    const index = outputIndex++;
    const args = call.arguments.join("");
    // llama.cpp names a call by call_id only; the others give the item an id of its own.
    const key = flavor === "llamacpp" ? `fc_mock_${n}` : `fc_mock_item_${n}`;
    const base = flavor === "llamacpp" ? { call_id: key } : { id: key, call_id: `call_mock_${n}` };
    const item = { ...base, type: "function_call", status: "completed", name: call.name, arguments: args };
    output.push(item);
    write("response.output_item.added", () => ({
      output_index: index,
      item: { ...item, status: "in_progress", arguments: "" },
    }));
    const pieces = flavor === "ollama" ? [args] : call.arguments;
    for (const delta of pieces) {
      write("response.function_call_arguments.delta", () => ({ item_id: key, output_index: index, delta }));
    }
    if (flavor !== "llamacpp") {
      write("response.function_call_arguments.done", () => ({
        item_id: key,
        output_index: index,
        arguments: args,
      }));
    }
    write("response.output_item.done", () => ({ output_index: index, item }));
  });

  // Message item.
  const messageIndex = outputIndex;
  const messageId = `msg_mock_${context.request.index}`;
  const textPart = () => ({ type: "output_text", text: sent.join(""), annotations: [] });
  const message = () => ({
    id: messageId,
    type: "message",
    status: "completed",
    role: "assistant",
    content: [textPart()],
  });

  if (!info.stream) {
    const body = () => {
      for (const token of tokens) sent.push(resolveToken(token));
      const all = tokens.length > 0 ? [...output, message()] : output;
      return JSON.stringify(finalResponse(ending === "incomplete" ? "incomplete" : "completed", all));
    };
    const text = body();
    const cut = text.slice(0, text.length >> 1);
    const bodySteps: Step[] =
      ending === "truncated"
        ? [{ write: cut }]
        : ending === "reset"
          ? [{ write: cut }, { destroy: true }]
          : [{ write: text }];
    return { headers: { "content-type": "application/json" }, steps: bodySteps };
  }

  if (tokens.length > 0) {
    write("response.output_item.added", () => ({
      output_index: messageIndex,
      item: { id: messageId, type: "message", status: "in_progress", role: "assistant", content: [] },
    }));
    write("response.content_part.added", () => ({
      item_id: messageId,
      output_index: messageIndex,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [] },
    }));
    tokens.forEach((token, index) => {
      if (index > 0 && options.intervalMs !== undefined && options.intervalMs > 0) {
        steps.push({ delay: options.intervalMs });
      }
      write("response.output_text.delta", () => {
        const delta = resolveToken(token);
        sent.push(delta);
        return { item_id: messageId, output_index: messageIndex, content_index: 0, delta, logprobs: [] };
      });
      if (options.pingEvery !== undefined && options.pingEvery > 0 && (index + 1) % options.pingEvery === 0) {
        steps.push({ write: SSE_PING });
      }
    });
  }

  const closeMessage = () => {
    if (tokens.length === 0) return;
    const where = { item_id: messageId, output_index: messageIndex, content_index: 0 };
    write("response.output_text.done", () => ({ ...where, text: sent.join(""), logprobs: [] }));
    write("response.content_part.done", () => ({ ...where, part: textPart() }));
    write("response.output_item.done", () => ({ output_index: messageIndex, item: message() }));
  };

  function finalResponse(status: "completed" | "incomplete", items: ResponsesOutputItem[]) {
    return frames.response(status, items, {
      usage: options.noUsage ? null : frames.usage(generated, reasoning.length),
      ...(status === "incomplete" ? { incomplete_details: { reason: "max_output_tokens" } } : {}),
    });
  }
  const allOutput = () => (tokens.length > 0 ? [...output, message()] : output);

  switch (ending) {
    case "truncated":
      break;
    case "reset":
      // A RST makes the peer drop unread bytes; the pause lets the partial answer be read first.
      steps.push({ delay: 50 }, { destroy: true });
      break;
    case "stall":
      steps.push({ keepAlive: { everyMs: KEEP_ALIVE_EVERY_MS, write: SSE_PING } });
      break;
    case "failed":
      write("response.failed", () => ({
        response: frames.response("failed", allOutput(), { error: SERVER_ERROR }),
      }));
      break;
    case "error":
      write("error", () => ({ ...SERVER_ERROR, param: null }));
      break;
    case "incomplete":
      closeMessage();
      if (flavor === "openai") {
        write("response.incomplete", () => ({ response: finalResponse("incomplete", allOutput()) }));
      } else if (flavor === "vllm") {
        write("response.completed", () => ({ response: finalResponse("incomplete", allOutput()) }));
      } else {
        // Ollama and llama.cpp report a generation cut by the limit as completed.
        write("response.completed", () => ({ response: finalResponse("completed", allOutput()) }));
      }
      break;
    case "no-done":
    case "complete":
      closeMessage();
      write("response.completed", () => ({
        response: finalResponse("completed", allOutput()),
        ...(flavor === "llamacpp" ? { timings: llamaCppTimings(info.promptTokens, generated) } : {}),
      }));
      break;
  }

  const head: Step[] = [];
  if (options.firstTokenDelayMs !== undefined && options.firstTokenDelayMs > 0) {
    head.push({
      keepAlive: { everyMs: KEEP_ALIVE_EVERY_MS, write: SSE_PING, forMs: options.firstTokenDelayMs },
    });
  }
  head.push({
    write: () => frames.event("response.created", { response: frames.response("in_progress", []) }),
  });
  head.push({
    write: () => frames.event("response.in_progress", { response: frames.response("in_progress", []) }),
  });
  return { headers: SSE_HEADERS, steps: [...head, ...steps] };
}

const FLAVORS: readonly ResponsesFlavor[] = ["openai", "ollama", "vllm", "llamacpp"];

/** The flavor asked for by the `x-mock-flavor` header, so every scenario can imitate every server. */
function requestedFlavor(context: ScenarioContext): ResponsesFlavor {
  const raw = context.request.headers["x-mock-flavor"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return FLAVORS.find((flavor) => flavor === value) ?? "openai";
}

function llamaCppTimings(promptTokens: number, predicted: number) {
  return {
    cache_n: 0,
    prompt_n: promptTokens,
    prompt_ms: promptTokens * 2,
    prompt_per_second: 500,
    predicted_n: predicted,
    predicted_ms: predicted * 10,
    predicted_per_second: 100,
  };
}
