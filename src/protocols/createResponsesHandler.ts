import { isRecord } from "../utils/isRecord.js";
import type { DeltaSink, UsageReport } from "./DeltaSink.js";
import { llamaCppTimings, type WireTimings } from "./llamaCppTimings.js";
import { notAnObject } from "./notAnObject.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

// Loose views of the wire JSON: servers differ, so every field is optional and checked before use.
/** One output item (`message`, `reasoning`, `function_call`, …) of a Responses response. */
export interface WireResponsesItem {
  type?: string;
  id?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  content?: { type?: string; text?: string; refusal?: string }[] | null;
  summary?: { type?: string; text?: string }[] | null;
}
interface WireResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}
/** A `response` object: the non-streamed answer, and the payload of the lifecycle events. */
export interface WireResponse {
  id?: string;
  object?: string;
  model?: string;
  status?: string;
  output?: WireResponsesItem[] | null;
  usage?: WireResponsesUsage | null;
  incomplete_details?: { reason?: string } | null;
  error?: unknown;
}
/** One streamed event: `type` says which, the other fields depend on it. */
export interface WireResponsesEvent {
  type?: string;
  response?: WireResponse;
  item?: WireResponsesItem;
  item_id?: string;
  output_index?: number;
  summary_index?: number;
  delta?: unknown;
  arguments?: string;
  code?: string | null;
  message?: string;
  error?: unknown;
  timings?: WireTimings;
}

/** Feeds one streamed Responses event into the sink; `eventName` is the SSE `event:` field, if any. */
export type ResponsesHandler = (event: unknown, eventName?: string) => void;

/** Which family of reasoning events a server uses; see {@link createResponsesHandler}. */
type ReasoningFamily = "text" | "summary" | "legacy";

interface CallState {
  index: number;
  /** Argument text already arrived as deltas, so the `…done` copies are not added again. */
  streamed: boolean;
}

/**
 * Maps the typed events of the OpenAI Responses API (`POST /v1/responses`, `stream: true`) onto the
 * sink, with the state the event stream needs (function-call items by id, the reasoning family).
 *
 * What the servers send differs, and each difference is handled here:
 * - OpenAI sends reasoning as `response.reasoning_summary_text.delta` (one summary part after another,
 *   joined here by a blank line); vLLM and llama.cpp send `response.reasoning_text.delta`; Ollama sends
 *   its thinking as `response.reasoning_summary_text.delta`. vLLM also has a legacy
 *   `response.reasoning.delta`, in some versions next to `reasoning_text.delta` for the same text, and
 *   some versions with `delta: {content}` instead of a string. The first family seen is used and the
 *   others are ignored, so no reasoning is counted twice.
 * - llama.cpp sends no `sequence_number`, no `output_index`, and identifies a function call by
 *   `call_id` in `output_item.added` and by `item_id` (the same value) in the argument deltas; OpenAI
 *   and Ollama use the item `id`. Items are looked up by either; nothing relies on `sequence_number`.
 * - Ollama sends a function call's arguments as one delta; llama.cpp sends no
 *   `function_call_arguments.done`. Arguments are taken from the deltas, and from `…done` or
 *   `output_item.done` only when no delta carried them.
 * - llama.cpp and Ollama end a generation cut by the token limit with `response.completed`, not
 *   `response.incomplete`; vLLM sends `response.completed` whose `status` is `incomplete`. The
 *   response's `status` and `incomplete_details.reason` decide the finish reason.
 * - Ollama reports `output_tokens_details.reasoning_tokens: 0` even after reasoning; a zero after
 *   streamed reasoning is not passed on. llama.cpp adds its `timings` to `response.completed`.
 * - Only `response.completed`, `response.incomplete` and `response.failed` end the stream; a body that
 *   stops before one of them is left incomplete, which the stream reports as truncated.
 */
export function createResponsesHandler(sink: DeltaSink): ResponsesHandler {
  const calls = new Map<string, CallState>();
  let nextCallIndex = 0;
  let lastCall: CallState | undefined;
  let family: ReasoningFamily | undefined;
  let reasoningSeen = false;
  let outputSeen = false;
  let summaryPart: string | undefined;
  let finished = false;

  const reasoning = (kind: ReasoningFamily, text: string) => {
    family ??= kind;
    if (family !== kind || text === "") return;
    reasoningSeen = true;
    outputSeen = true;
    sink.reasoning(text);
  };

  const addCall = (item: WireResponsesItem): CallState => {
    const state: CallState = { index: nextCallIndex++, streamed: false };
    for (const key of [item.id, item.call_id])
      if (typeof key === "string" && key !== "") calls.set(key, state);
    lastCall = state;
    outputSeen = true;
    sink.toolCallFragment({
      index: state.index,
      ...callId(item),
      ...(typeof item.name === "string" ? { name: item.name } : {}),
    });
    return state;
  };

  const findCall = (key: string | undefined): CallState | undefined =>
    (key === undefined ? undefined : calls.get(key)) ?? lastCall;

  const wholeArguments = (state: CallState, text: string | undefined) => {
    if (state.streamed || typeof text !== "string" || text === "") return;
    state.streamed = true;
    sink.toolCallFragment({ index: state.index, arguments: text });
  };

  return (input, eventName) => {
    if (!isRecord(input)) throw notAnObject("Responses event", input);
    const event = input as WireResponsesEvent;
    sink.chunk();
    if (finished) return;
    const type = typeof event.type === "string" ? event.type : eventName;
    switch (type) {
      case "response.output_text.delta":
      case "response.refusal.delta":
        if (typeof event.delta === "string" && event.delta !== "") {
          outputSeen = true;
          sink.text(event.delta);
        }
        return;
      case "response.reasoning_text.delta":
        if (typeof event.delta === "string") reasoning("text", event.delta);
        return;
      case "response.reasoning_summary_text.delta":
        if (typeof event.delta === "string") {
          // OpenAI streams several summary parts; they read as paragraphs.
          const part = `${event.item_id ?? ""}:${event.summary_index ?? 0}`;
          if (summaryPart !== undefined && part !== summaryPart && family === "summary")
            reasoning("summary", "\n\n");
          summaryPart = part;
          reasoning("summary", event.delta);
        }
        return;
      case "response.reasoning.delta": {
        const delta = event.delta as { content?: unknown; text?: unknown } | string | undefined;
        const text = typeof delta === "string" ? delta : (delta?.content ?? delta?.text);
        if (typeof text === "string") reasoning("legacy", text);
        return;
      }
      case "response.output_item.added":
        if (event.item?.type === "function_call") {
          const state = addCall(event.item);
          // Some servers put the whole arguments on the added item.
          wholeArguments(state, event.item.arguments);
        }
        return;
      case "response.function_call_arguments.delta": {
        const state = findCall(event.item_id);
        if (state !== undefined && typeof event.delta === "string" && event.delta !== "") {
          state.streamed = true;
          sink.toolCallFragment({ index: state.index, arguments: event.delta });
        }
        return;
      }
      case "response.function_call_arguments.done": {
        const state = findCall(event.item_id);
        if (state !== undefined) wholeArguments(state, event.arguments);
        return;
      }
      case "response.output_item.done": {
        const item = event.item;
        if (item?.type !== "function_call") return;
        const known = [item.id, item.call_id].find((key) => key !== undefined && calls.has(key));
        const state = known === undefined ? addCall(item) : (calls.get(known) as CallState);
        wholeArguments(state, item.arguments);
        return;
      }
      case "response.created":
      case "response.in_progress":
        meta(event.response, sink);
        return;
      case "response.completed":
      case "response.incomplete":
        finished = true;
        finish(event.response, sink, { outputSeen, reasoningSeen }, type === "response.incomplete");
        if (event.timings !== undefined && event.timings !== null)
          sink.timings(llamaCppTimings(event.timings));
        sink.end();
        return;
      case "response.failed":
        finished = true;
        sink.serverError(
          serverErrorMessage(event.response ?? {}) ??
            `the response failed (status ${event.response?.status ?? "unknown"}) with no message`,
        );
        return;
      case "error":
        finished = true;
        sink.serverError(serverErrorMessage(event) ?? "the server sent an error event with no message");
        return;
      default:
        // Lifecycle and `…done` events repeat text that the deltas already carried.
        return;
    }
  };
}

/**
 * Feeds a whole, non-streamed Responses `response` object into the sink: output items in order,
 * then the finish reason, usage and end.
 */
export function handleResponsesObject(input: unknown, sink: DeltaSink): void {
  if (!isRecord(input)) throw notAnObject("Responses response", input);
  const response = input as WireResponse;
  sink.chunk();
  if (response.status === "failed" || (response.object !== "response" && response.error != null)) {
    sink.serverError(serverErrorMessage(response) ?? "the response failed with no message");
    return;
  }
  const reasoningSeen = readOutput(response.output, sink);
  finish(response, sink, { outputSeen: true, reasoningSeen });
  sink.end();
}

/** The text, reasoning and function calls of finished output items; returns whether reasoning was read. */
function readOutput(output: WireResponsesItem[] | null | undefined, sink: DeltaSink): boolean {
  if (!Array.isArray(output)) return false;
  let reasoningSeen = false;
  let calls = 0;
  for (const item of output) {
    if (item.type === "reasoning") {
      // Full reasoning text when the server has it (vLLM, llama.cpp), the summary otherwise.
      const parts = item.content?.length ? item.content : (item.summary ?? []);
      const text = parts.map((part) => part.text ?? "").join("\n\n");
      if (text !== "") {
        reasoningSeen = true;
        sink.reasoning(text);
      }
    } else if (item.type === "message") {
      for (const part of item.content ?? []) {
        const text = part.type === "refusal" ? part.refusal : part.text;
        if (typeof text === "string" && text !== "") sink.text(text);
      }
    } else if (item.type === "function_call") {
      sink.toolCallFragment({
        index: calls++,
        ...callId(item),
        ...(typeof item.name === "string" ? { name: item.name } : {}),
        ...(typeof item.arguments === "string" ? { arguments: item.arguments } : {}),
      });
    }
  }
  return reasoningSeen;
}

/** The id a tool result must quote: `call_id`, else the item id. */
function callId(item: WireResponsesItem): { id?: string } {
  const id = item.call_id ?? item.id;
  return typeof id === "string" && id !== "" ? { id } : {};
}

function meta(response: WireResponse | undefined, sink: DeltaSink): void {
  if (response === undefined || response === null) return;
  const model = typeof response.model === "string" ? response.model : undefined;
  const id = typeof response.id === "string" ? response.id : undefined;
  if (model !== undefined || id !== undefined) sink.meta(model, id);
}

/** The terminal response: meta, finish reason from `status`, usage; output when nothing streamed. */
function finish(
  response: WireResponse | undefined,
  sink: DeltaSink,
  seen: { outputSeen: boolean; reasoningSeen: boolean },
  incompleteEvent = false,
): void {
  if (response === undefined || response === null) {
    sink.finish(incompleteEvent ? "incomplete" : "stop");
    return;
  }
  meta(response, sink);
  // A server that streams nothing but the final event still delivers its answer.
  const reasoningSeen = seen.outputSeen ? seen.reasoningSeen : readOutput(response.output, sink);
  const incomplete = incompleteEvent || response.status === "incomplete";
  sink.finish(incomplete ? (response.incomplete_details?.reason ?? "incomplete") : "stop");
  const usage = response.usage;
  if (usage !== undefined && usage !== null && typeof usage === "object") {
    const report: UsageReport = {};
    if (typeof usage.input_tokens === "number") report.promptTokens = usage.input_tokens;
    if (typeof usage.output_tokens === "number") report.completionTokens = usage.output_tokens;
    if (typeof usage.total_tokens === "number") report.totalTokens = usage.total_tokens;
    const reasoningTokens = usage.output_tokens_details?.reasoning_tokens;
    if (typeof reasoningTokens === "number" && !(reasoningTokens === 0 && reasoningSeen))
      report.reasoningTokens = reasoningTokens;
    if (Object.keys(report).length > 0) sink.usage(report, "server");
  }
}
