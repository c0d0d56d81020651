import { describe, expect, it } from "vitest";
import {
  createResponsesHandler,
  handleResponsesObject,
  type WireResponsesEvent,
} from "./createResponsesHandler.js";
import type { DeltaSink } from "./DeltaSink.js";

type Call = [string, ...unknown[]];

/** A sink that records every call; `serverError` throws like the real one. */
function recordingSink(): { sink: DeltaSink; calls: Call[]; of: (name: string) => unknown[][] } {
  const calls: Call[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const sink: DeltaSink = {
    chunk: record("chunk"),
    text: record("text"),
    reasoning: record("reasoning"),
    toolCallFragment: record("toolCallFragment"),
    toolCall: record("toolCall"),
    finish: record("finish"),
    usage: record("usage"),
    timings: record("timings"),
    meta: record("meta"),
    serverError: (message: string) => {
      calls.push(["serverError", message]);
      throw new Error(message);
    },
    warning: record("warning"),
    end: record("end"),
  };
  const of = (name: string) => calls.filter((call) => call[0] === name).map((call) => call.slice(1));
  return { sink, calls, of };
}

function run(events: WireResponsesEvent[]) {
  const recorded = recordingSink();
  const handle = createResponsesHandler(recorded.sink);
  for (const event of events) handle(event);
  return recorded;
}

const created = {
  type: "response.created",
  response: { id: "resp_1", model: "gpt-x", status: "in_progress" },
};
const completed = (response: Record<string, unknown> = {}): WireResponsesEvent => ({
  type: "response.completed",
  response: { id: "resp_1", model: "gpt-x", status: "completed", ...response },
});

describe("createResponsesHandler", () => {
  it("maps text deltas to text, lifecycle events to meta only, and completed to finish, usage and end", () => {
    const { of, calls } = run([
      created,
      { type: "response.in_progress", response: { id: "resp_1", status: "in_progress" } },
      { type: "response.output_item.added", item: { type: "message", id: "msg_1" } },
      { type: "response.output_text.delta", item_id: "msg_1", delta: "Hel" },
      { type: "response.output_text.delta", item_id: "msg_1", delta: "lo" },
      { type: "response.output_text.done", item_id: "msg_1" },
      completed({
        usage: {
          input_tokens: 7,
          output_tokens: 2,
          total_tokens: 9,
          output_tokens_details: { reasoning_tokens: 0 },
        },
      }),
    ]);
    expect(of("text")).toEqual([["Hel"], ["lo"]]);
    expect(of("meta")[0]).toEqual(["gpt-x", "resp_1"]);
    expect(of("finish")).toEqual([["stop"]]);
    expect(of("usage")).toEqual([
      [{ promptTokens: 7, completionTokens: 2, totalTokens: 9, reasoningTokens: 0 }, "server"],
    ]);
    expect(calls.at(-1)).toEqual(["end"]);
    expect(of("chunk")).toHaveLength(7);
  });

  it("response.incomplete gives the incomplete_details reason; completed with status incomplete (vLLM) too", () => {
    const openai = run([
      created,
      {
        type: "response.incomplete",
        response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
      },
    ]);
    expect(openai.of("finish")).toEqual([["max_output_tokens"]]);
    expect(openai.of("end")).toHaveLength(1);
    const vllm = run([
      created,
      completed({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }),
    ]);
    expect(vllm.of("finish")).toEqual([["max_output_tokens"]]);
    const bare = run([{ type: "response.incomplete" }]);
    expect(bare.of("finish")).toEqual([["incomplete"]]);
  });

  it("response.failed and error events are server errors with the server's message", () => {
    expect(() =>
      run([
        created,
        {
          type: "response.failed",
          response: { status: "failed", error: { code: "server_error", message: "boom" } },
        },
      ]),
    ).toThrow("boom");
    expect(() => run([{ type: "error", code: "rate_limit_exceeded", message: "slow down" }])).toThrow(
      "slow down",
    );
    // An `event: error` whose data has no type (the SSE event name is the type).
    const { sink } = recordingSink();
    expect(() => createResponsesHandler(sink)({ error: { message: "upstream gone" } }, "error")).toThrow(
      "upstream gone",
    );
  });

  it("a stream that stops before a terminal event neither finishes nor ends", () => {
    const { of } = run([created, { type: "response.output_text.delta", delta: "partial" }]);
    expect(of("finish")).toEqual([]);
    expect(of("end")).toEqual([]);
  });

  it("reasoning: the first family seen wins, so vLLM's doubled legacy events are not counted twice", () => {
    const { of } = run([
      { type: "response.reasoning_text.delta", item_id: "rs", delta: "Think" },
      { type: "response.reasoning.delta", delta: "Think" },
      { type: "response.reasoning_text.delta", item_id: "rs", delta: "ing" },
      { type: "response.reasoning.delta", delta: { content: "ing" } },
    ]);
    expect(of("reasoning")).toEqual([["Think"], ["ing"]]);
    const legacy = run([
      { type: "response.reasoning.delta", delta: { content: "a" } },
      { type: "response.reasoning.delta", delta: "b" },
    ]);
    expect(legacy.of("reasoning")).toEqual([["a"], ["b"]]);
  });

  it("OpenAI summary parts read as paragraphs", () => {
    const { of } = run([
      { type: "response.reasoning_summary_text.delta", item_id: "rs", summary_index: 0, delta: "First." },
      { type: "response.reasoning_summary_text.delta", item_id: "rs", summary_index: 1, delta: "Second." },
    ]);
    expect(of("reasoning")).toEqual([["First."], ["\n\n"], ["Second."]]);
  });

  it("drops Ollama's reasoning_tokens 0 after streamed reasoning, keeps a real count", () => {
    const usage = { input_tokens: 1, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 } };
    const ollama = run([
      { type: "response.reasoning_summary_text.delta", delta: "hm" },
      completed({ usage }),
    ]);
    expect(ollama.of("usage")[0]?.[0]).toEqual({ promptTokens: 1, completionTokens: 5 });
    const real = { ...usage, output_tokens_details: { reasoning_tokens: 3 } };
    const openai = run([
      { type: "response.reasoning_summary_text.delta", delta: "hm" },
      completed({ usage: real }),
    ]);
    expect(openai.of("usage")[0]?.[0]).toMatchObject({ reasoningTokens: 3 });
  });

  it("function calls by item id (OpenAI) with deltas; done events add nothing when deltas came", () => {
    const { of } = run([
      {
        type: "response.output_item.added",
        item: { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: "" },
      },
      { type: "response.function_call_arguments.delta", item_id: "fc_1", delta: '{"a":' },
      { type: "response.function_call_arguments.delta", item_id: "fc_1", delta: "1}" },
      { type: "response.function_call_arguments.done", item_id: "fc_1", arguments: '{"a":1}' },
      {
        type: "response.output_item.done",
        item: { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: '{"a":1}' },
      },
      {
        type: "response.output_item.added",
        item: { type: "function_call", id: "fc_2", call_id: "call_2", name: "g" },
      },
      { type: "response.function_call_arguments.done", item_id: "fc_2", arguments: "{}" },
    ]);
    expect(of("toolCallFragment")).toEqual([
      [{ index: 0, id: "call_1", name: "f" }],
      [{ index: 0, arguments: '{"a":' }],
      [{ index: 0, arguments: "1}" }],
      [{ index: 1, id: "call_2", name: "g" }],
      [{ index: 1, arguments: "{}" }],
    ]);
  });

  it("function calls by call_id (llama.cpp: no item id, no arguments.done, no output_index)", () => {
    const { of } = run([
      {
        type: "response.output_item.added",
        item: { type: "function_call", call_id: "fc_abc", name: "f", arguments: "" },
      },
      { type: "response.function_call_arguments.delta", item_id: "fc_abc", delta: '{"x":2}' },
      // llama.cpp's final item has an id and a different call_id: still the same call.
      {
        type: "response.output_item.done",
        item: { type: "function_call", id: "fc_abc", call_id: "call_abc", name: "f", arguments: '{"x":2}' },
      },
    ]);
    expect(of("toolCallFragment")).toEqual([
      [{ index: 0, id: "fc_abc", name: "f" }],
      [{ index: 0, arguments: '{"x":2}' }],
    ]);
  });

  it("a call seen only in output_item.done is still delivered whole", () => {
    const { of } = run([
      {
        type: "response.output_item.done",
        item: { type: "function_call", id: "fc_9", call_id: "call_9", name: "h", arguments: '{"k":true}' },
      },
    ]);
    expect(of("toolCallFragment")).toEqual([
      [{ index: 0, id: "call_9", name: "h" }],
      [{ index: 0, arguments: '{"k":true}' }],
    ]);
  });

  it("a server that streams only the final event still delivers its output", () => {
    const { of } = run([
      completed({
        output: [
          { type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "why" }] },
          { type: "message", content: [{ type: "output_text", text: "Answer" }] },
        ],
      }),
    ]);
    expect(of("reasoning")).toEqual([["why"]]);
    expect(of("text")).toEqual([["Answer"]]);
  });

  it("takes llama.cpp's timings from response.completed", () => {
    const { of } = run([
      { ...completed(), timings: { predicted_n: 4, predicted_ms: 40, prompt_n: 2, prompt_ms: 5 } },
    ]);
    expect(of("timings")[0]?.[0]).toMatchObject({ completionTokens: 4, completionMs: 40, totalMs: 45 });
  });

  it("ignores events after the terminal one", () => {
    const { of } = run([completed(), { type: "response.output_text.delta", delta: "late" }]);
    expect(of("text")).toEqual([]);
  });
});

describe("handleResponsesObject", () => {
  it("reads reasoning, text, refusals and function calls of a non-streamed response, then finishes", () => {
    const recorded = recordingSink();
    handleResponsesObject(
      {
        id: "resp_2",
        object: "response",
        model: "m",
        status: "completed",
        output: [
          { type: "reasoning", summary: [{ type: "summary_text", text: "Plan" }] },
          {
            type: "message",
            content: [
              { type: "output_text", text: "Hi" },
              { type: "refusal", refusal: " no" },
            ],
          },
          { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: "{}" },
        ],
        usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
      },
      recorded.sink,
    );
    expect(recorded.of("reasoning")).toEqual([["Plan"]]);
    expect(recorded.of("text")).toEqual([["Hi"], [" no"]]);
    expect(recorded.of("toolCallFragment")).toEqual([
      [{ index: 0, id: "call_1", name: "f", arguments: "{}" }],
    ]);
    expect(recorded.of("finish")).toEqual([["stop"]]);
    expect(recorded.of("usage")[0]?.[0]).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(recorded.calls.at(-1)).toEqual(["end"]);
  });

  it("a failed response or a bare error body is a server error", () => {
    const { sink } = recordingSink();
    expect(() =>
      handleResponsesObject(
        { object: "response", status: "failed", error: { message: "model crashed" } },
        sink,
      ),
    ).toThrow("model crashed");
    expect(() => handleResponsesObject({ error: { message: "bad key" } }, sink)).toThrow("bad key");
  });

  it("an incomplete response finishes with its reason", () => {
    const { sink, of } = recordingSink();
    handleResponsesObject(
      {
        object: "response",
        status: "incomplete",
        incomplete_details: { reason: "content_filter" },
        output: [],
      },
      sink,
    );
    expect(of("finish")).toEqual([["content_filter"]]);
  });
});
