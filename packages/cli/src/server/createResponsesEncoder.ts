import type { ChatResult, StreamEvent } from "llmstream";
import type { ApiError } from "./ApiError.js";
import type { EncoderContext, StreamEncoder } from "./StreamEncoder.js";

type OutputItem = Record<string, unknown> & { type: string; id: string };

/** Responses `usage` from a result. */
export function responsesUsage(result: Pick<ChatResult, "usage">): Record<string, unknown> {
  const { usage } = result;
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.totalTokens,
  };
}

/** The Responses `response` object, in progress or final. */
export function responseObject(
  context: EncoderContext,
  status: "in_progress" | "completed" | "incomplete" | "failed",
  output: OutputItem[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: context.id,
    object: "response",
    created_at: context.created,
    status,
    model: context.model,
    output,
    error: null,
    incomplete_details: null,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: null,
    ...extra,
  };
}

/** The final output items of a whole result (non-streamed responses). */
export function responsesOutput(context: EncoderContext, result: ChatResult): OutputItem[] {
  const items: OutputItem[] = [];
  if (result.reasoning !== "") items.push(reasoningItem(`rs_${context.id}_0`, result.reasoning, "completed"));
  if (result.text !== "" || result.toolCalls.length === 0)
    items.push(messageItem(`msg_${context.id}_${items.length}`, result.text, "completed"));
  for (const call of result.toolCalls)
    items.push(functionItem(`fc_${context.id}_${items.length}`, call, "completed"));
  return items;
}

/** How a finished result ends a Responses stream: `completed`, or `incomplete` at the token limit. */
export function responsesFinal(result: ChatResult): {
  status: "completed" | "incomplete";
  extra: Record<string, unknown>;
} {
  if (result.finishReason === "length")
    return { status: "incomplete", extra: { incomplete_details: { reason: "max_output_tokens" } } };
  if (result.finishReason === "content_filter")
    return { status: "incomplete", extra: { incomplete_details: { reason: "content_filter" } } };
  return { status: "completed", extra: {} };
}

function messageItem(id: string, text: string, status: string): OutputItem {
  return {
    type: "message",
    id,
    status,
    role: "assistant",
    content: status === "in_progress" ? [] : [{ type: "output_text", text, annotations: [], logprobs: [] }],
  };
}

function reasoningItem(id: string, text: string, status: string): OutputItem {
  return {
    type: "reasoning",
    id,
    status,
    summary: [],
    content: status === "in_progress" ? [] : [{ type: "reasoning_text", text }],
  };
}

function functionItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: string,
): OutputItem {
  return { type: "function_call", id, call_id: call.id, name: call.name, arguments: call.arguments, status };
}

/**
 * The `/v1/responses` stream: typed events with a `sequence_number` each (`response.created`,
 * `response.in_progress`, `response.output_item.added`, `response.content_part.added`,
 * `response.output_text.delta`, `response.reasoning_text.delta`, function-call argument events, the
 * matching `…done` events, then `response.completed` or `response.incomplete` with usage). No
 * `[DONE]`. After the status line an error ends the stream with `response.failed`.
 *
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesEncoder(context: EncoderContext): StreamEncoder {
  let sequence = 0;
  const output: OutputItem[] = [];
  /** The open item: its kind, index and the text gathered for its `…done` events. */
  let open: { kind: "message" | "reasoning"; index: number; id: string; parts: string[] } | undefined;

  const emit = (type: string, fields: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;

  function close(): string {
    if (open === undefined) return "";
    const { kind, index, id } = open;
    const text = open.parts.join("");
    open = undefined;
    if (kind === "message") {
      const part = { type: "output_text", text, annotations: [], logprobs: [] };
      const item = messageItem(id, text, "completed");
      output[index] = item;
      return (
        emit("response.output_text.done", {
          item_id: id,
          output_index: index,
          content_index: 0,
          text,
          logprobs: [],
        }) +
        emit("response.content_part.done", { item_id: id, output_index: index, content_index: 0, part }) +
        emit("response.output_item.done", { output_index: index, item })
      );
    }
    const item = reasoningItem(id, text, "completed");
    output[index] = item;
    return (
      emit("response.reasoning_text.done", { item_id: id, output_index: index, content_index: 0, text }) +
      emit("response.content_part.done", {
        item_id: id,
        output_index: index,
        content_index: 0,
        part: { type: "reasoning_text", text },
      }) +
      emit("response.output_item.done", { output_index: index, item })
    );
  }

  function openItem(kind: "message" | "reasoning"): string {
    const closing = close();
    const index = output.length;
    const id = `${kind === "message" ? "msg" : "rs"}_${context.id}_${index}`;
    const item =
      kind === "message" ? messageItem(id, "", "in_progress") : reasoningItem(id, "", "in_progress");
    output.push(item);
    open = { kind, index, id, parts: [] };
    const part =
      kind === "message"
        ? { type: "output_text", text: "", annotations: [], logprobs: [] }
        : { type: "reasoning_text", text: "" };
    return (
      closing +
      emit("response.output_item.added", { output_index: index, item }) +
      emit("response.content_part.added", { item_id: id, output_index: index, content_index: 0, part })
    );
  }

  return {
    start: () =>
      emit("response.created", { response: responseObject(context, "in_progress", []) }) +
      emit("response.in_progress", { response: responseObject(context, "in_progress", []) }),
    event(event: StreamEvent): string {
      switch (event.type) {
        case "text":
        case "reasoning": {
          const kind = event.type === "text" ? "message" : "reasoning";
          const opening = open?.kind === kind ? "" : openItem(kind);
          const current = open as unknown as { index: number; id: string; parts: string[] };
          current.parts.push(event.text);
          return (
            opening +
            emit(event.type === "text" ? "response.output_text.delta" : "response.reasoning_text.delta", {
              item_id: current.id,
              output_index: current.index,
              content_index: 0,
              delta: event.text,
              ...(event.type === "text" ? { logprobs: [] } : {}),
            })
          );
        }
        case "tool_call": {
          const closing = close();
          const index = output.length;
          const id = `fc_${context.id}_${index}`;
          const item = functionItem(id, event, "completed");
          output.push(item);
          return (
            closing +
            emit("response.output_item.added", {
              output_index: index,
              item: { ...item, arguments: "", status: "in_progress" },
            }) +
            emit("response.function_call_arguments.delta", {
              item_id: id,
              output_index: index,
              delta: event.arguments,
            }) +
            emit("response.function_call_arguments.done", {
              item_id: id,
              output_index: index,
              name: event.name,
              arguments: event.arguments,
            }) +
            emit("response.output_item.done", { output_index: index, item })
          );
        }
        case "done": {
          const closing = close();
          const { status, extra } = responsesFinal(event);
          const type = status === "completed" ? "response.completed" : "response.incomplete";
          return (
            closing +
            emit(type, {
              response: responseObject(context, status, output, { ...extra, usage: responsesUsage(event) }),
            })
          );
        }
        default:
          return "";
      }
    },
    error(error: ApiError): string {
      // The item that was being written keeps the part the client already has, marked incomplete.
      if (open !== undefined) {
        const { kind, index, id } = open;
        const text = open.parts.join("");
        output[index] =
          kind === "message" ? messageItem(id, text, "incomplete") : reasoningItem(id, text, "incomplete");
        open = undefined;
      }
      return emit("response.failed", {
        response: responseObject(context, "failed", output, {
          error: { code: error.code ?? error.type, message: error.message },
        }),
      });
    },
  };
}
