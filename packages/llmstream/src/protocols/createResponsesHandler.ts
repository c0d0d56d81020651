import { isRecord } from "../utils/isRecord.js";
import type { DeltaSink, UsageReport } from "./DeltaSink.js";
import { llamaCppTimings, type WireTimings } from "./llamaCppTimings.js";
import { notAnObject } from "./notAnObject.js";
import { serverErrorMessage } from "./serverErrorMessage.js";

// The wire JSON as servers send it, for reference and tests: the handlers take `unknown` and check
// every field before use (servers differ), so these types describe, they do not trust.
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

/**
 * Feeds one streamed Responses event ({@link WireResponsesEvent}, any parsed JSON) into the sink;
 * `eventName` is the SSE `event:` field, if any. Throws a `ProtocolError` (`invalid-chunk`) when the
 * event is not an object.
 */
export type ResponsesHandler = (event: unknown, eventName?: string) => void;

type Loose = Record<string, unknown>;

/** `value` when it is a string, else `undefined`. */
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

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

  const addCall = (item: Loose): CallState => {
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

  const findCall = (key: unknown): CallState | undefined =>
    (typeof key === "string" ? calls.get(key) : undefined) ?? lastCall;

  const wholeArguments = (state: CallState, args: unknown) => {
    if (state.streamed || typeof args !== "string" || args === "") return;
    state.streamed = true;
    sink.toolCallFragment({ index: state.index, arguments: args });
  };

  return (event, eventName) => {
    if (!isRecord(event)) throw notAnObject("Responses event", event);
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
          const part = `${text(event.item_id) ?? ""}:${typeof event.summary_index === "number" ? event.summary_index : 0}`;
          if (summaryPart !== undefined && part !== summaryPart && family === "summary")
            reasoning("summary", "\n\n");
          summaryPart = part;
          reasoning("summary", event.delta);
        }
        return;
      case "response.reasoning.delta": {
        const delta = event.delta;
        const legacy =
          typeof delta === "string" ? delta : isRecord(delta) ? (delta.content ?? delta.text) : undefined;
        if (typeof legacy === "string") reasoning("legacy", legacy);
        return;
      }
      case "response.output_item.added": {
        const item = event.item;
        if (isRecord(item) && item.type === "function_call") {
          const state = addCall(item);
          // Some servers put the whole arguments on the added item.
          wholeArguments(state, item.arguments);
        }
        return;
      }
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
        if (!isRecord(item) || item.type !== "function_call") return;
        const known = [item.id, item.call_id].find((key) => typeof key === "string" && calls.has(key));
        const state = (typeof known === "string" ? calls.get(known) : undefined) ?? addCall(item);
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
        if (isRecord(event.timings)) sink.timings(llamaCppTimings(event.timings));
        sink.end();
        return;
      case "response.failed":
        finished = true;
        sink.serverError(
          serverErrorMessage(event.response ?? {}) ??
            `the response failed (status ${(isRecord(event.response) && text(event.response.status)) || "unknown"}) with no message`,
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
 * Feeds a whole, non-streamed Responses `response` object ({@link WireResponse}, any parsed JSON)
 * into the sink: output items in order, then the finish reason, usage and end. Throws a
 * `ProtocolError` (`invalid-chunk`) when it is not an object.
 */
export function handleResponsesObject(response: unknown, sink: DeltaSink): void {
  if (!isRecord(response)) throw notAnObject("Responses response", response);
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
function readOutput(output: unknown, sink: DeltaSink): boolean {
  if (!Array.isArray(output)) return false;
  let reasoningSeen = false;
  let calls = 0;
  for (let i = 0; i < output.length; i++) {
    const item: unknown = output[i];
    if (!isRecord(item)) continue;
    if (item.type === "reasoning") {
      // Full reasoning text when the server has it (vLLM, llama.cpp), the summary otherwise.
      const source = Array.isArray(item.content) && item.content.length > 0 ? item.content : item.summary;
      const reasoningText = parts(source)
        .map((part) => text(part.text) ?? "")
        .join("\n\n");
      if (reasoningText !== "") {
        reasoningSeen = true;
        sink.reasoning(reasoningText);
      }
    } else if (item.type === "message") {
      for (const part of parts(item.content)) {
        const partText = part.type === "refusal" ? part.refusal : part.text;
        if (typeof partText === "string" && partText !== "") sink.text(partText);
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

/** The object parts of an item's `content` or `summary` (none when it is not an array). */
function parts(value: unknown): Loose[] {
  if (!Array.isArray(value)) return [];
  const found: Loose[] = [];
  for (let i = 0; i < value.length; i++) {
    const part: unknown = value[i];
    if (isRecord(part)) found.push(part);
  }
  return found;
}

/** The id a tool result must quote: `call_id`, else the item id. */
function callId(item: Loose): { id?: string } {
  const id = item.call_id ?? item.id;
  return typeof id === "string" && id !== "" ? { id } : {};
}

function meta(response: unknown, sink: DeltaSink): void {
  if (!isRecord(response)) return;
  const model = typeof response.model === "string" ? response.model : undefined;
  const id = typeof response.id === "string" ? response.id : undefined;
  if (model !== undefined || id !== undefined) sink.meta(model, id);
}

/** The terminal response: meta, finish reason from `status`, usage; output when nothing streamed. */
function finish(
  response: unknown,
  sink: DeltaSink,
  seen: { outputSeen: boolean; reasoningSeen: boolean },
  incompleteEvent = false,
): void {
  if (!isRecord(response)) {
    sink.finish(incompleteEvent ? "incomplete" : "stop");
    return;
  }
  meta(response, sink);
  // A server that streams nothing but the final event still delivers its answer.
  const reasoningSeen = seen.outputSeen ? seen.reasoningSeen : readOutput(response.output, sink);
  const incomplete = incompleteEvent || response.status === "incomplete";
  const details = response.incomplete_details;
  const reason = isRecord(details) ? text(details.reason) : undefined;
  sink.finish(incomplete ? (reason ?? "incomplete") : "stop");
  const usage = response.usage;
  if (isRecord(usage)) {
    const report: UsageReport = {};
    if (typeof usage.input_tokens === "number") report.promptTokens = usage.input_tokens;
    if (typeof usage.output_tokens === "number") report.completionTokens = usage.output_tokens;
    if (typeof usage.total_tokens === "number") report.totalTokens = usage.total_tokens;
    const tokenDetails = usage.output_tokens_details;
    const reasoningTokens = isRecord(tokenDetails) ? tokenDetails.reasoning_tokens : undefined;
    if (typeof reasoningTokens === "number" && !(reasoningTokens === 0 && reasoningSeen))
      report.reasoningTokens = reasoningTokens;
    if (Object.keys(report).length > 0) sink.usage(report, "server");
  }
}
