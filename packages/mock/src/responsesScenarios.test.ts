import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { rawRequest } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const body = { model: "gpt-mock", input: [{ role: "user", content: "say hi" }], stream: true };
type Event = Record<string, unknown> & { type: string; delta?: string; response?: Record<string, unknown> };

/** The `event:` names and parsed data of a Responses SSE body. */
function events(text: string): { names: (string | undefined)[]; data: Event[] } {
  const names: (string | undefined)[] = [];
  const data: Event[] = [];
  for (const block of text.split("\n\n")) {
    const lines = block.split("\n");
    const payload = lines.find((line) => line.startsWith("data: "));
    if (payload === undefined) continue;
    names.push(lines.find((line) => line.startsWith("event: "))?.slice(7));
    data.push(JSON.parse(payload.slice(6)) as Event);
  }
  return { names, data };
}

async function stream(scenario: string, headers: Record<string, string> = {}, extra = {}) {
  const response = await rawRequest(`${mock.url}/s/${scenario}/v1/responses`, { ...body, ...extra }, headers);
  return { response, ...events(response.body.toString()) };
}

const deltas = (data: Event[], type: string) =>
  data
    .filter((event) => event.type === type)
    .map((event) => event.delta)
    .join("");

describe("Responses scenarios on /v1/responses", () => {
  it("ok: lifecycle events, one text delta per token, completed with usage, numbered events", async () => {
    const { response, names, data } = await stream("ok");
    expect(response.headers["content-type"]).toContain("text/event-stream");
    expect(data.slice(0, 4).map((event) => event.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(names).toEqual(data.map((event) => event.type));
    expect(data.filter((event) => event.type === "response.output_text.delta")).toHaveLength(20);
    expect(deltas(data, "response.output_text.delta")).toBe(MOCK_ANSWER);
    const last = data.at(-1) as Event;
    expect(last.type).toBe("response.completed");
    expect(last.response).toMatchObject({
      status: "completed",
      model: "gpt-mock",
      usage: { input_tokens: 2, output_tokens: 20, total_tokens: 22 },
    });
    expect(data.map((event) => event.sequence_number)).toEqual(data.map((_, index) => index));
    expect(response.body.toString()).not.toContain("[DONE]");
  });

  it("honours max_output_tokens with response.incomplete and reason max_output_tokens", async () => {
    const { data } = await stream("ok", {}, { max_output_tokens: 3 });
    expect(deltas(data, "response.output_text.delta")).toBe(MOCK_ANSWER_TOKENS.slice(0, 3).join(""));
    expect(data.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
  });

  it("each flavor ends a cut answer its own way (vLLM: completed + incomplete status; Ollama, llama.cpp: completed)", async () => {
    const vllm = await stream("incomplete", { "x-mock-flavor": "vllm" });
    expect(vllm.data.at(-1)).toMatchObject({
      type: "response.completed",
      response: { status: "incomplete" },
    });
    for (const flavor of ["ollama", "llamacpp"]) {
      const { data } = await stream("incomplete", { "x-mock-flavor": flavor });
      expect(data.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed" } });
    }
  });

  it("reasoning: summary deltas (OpenAI, Ollama) or reasoning_text deltas (vLLM, llama.cpp) before the answer", async () => {
    const expected = "The user wants a greeting.";
    for (const [flavor, type] of [
      ["openai", "response.reasoning_summary_text.delta"],
      ["ollama", "response.reasoning_summary_text.delta"],
      ["vllm", "response.reasoning_text.delta"],
      ["llamacpp", "response.reasoning_text.delta"],
    ] as const) {
      const { data } = await stream("reasoning", { "x-mock-flavor": flavor });
      expect(deltas(data, type), flavor).toBe(expected);
      const lastReasoning = data.findLastIndex((event) => event.type === type);
      const firstText = data.findIndex((event) => event.type === "response.output_text.delta");
      expect(firstText).toBeGreaterThan(lastReasoning);
    }
  });

  it("llama.cpp flavor: no sequence_number, no output_index, timings on response.completed", async () => {
    const { data } = await stream("ok", { "x-mock-flavor": "llamacpp" });
    expect(data.every((event) => !("sequence_number" in event) && !("output_index" in event))).toBe(true);
    expect(data[0]?.response).toEqual({
      id: `resp_mock_${mock.requests.length - 1}`,
      object: "response",
      status: "in_progress",
    });
    expect(data.at(-1)).toHaveProperty("timings.predicted_n", 20);
    expect((data.at(-1)?.response?.usage as Record<string, unknown>).output_tokens_details).toBeUndefined();
  });

  it("tool-calls: two function_call items with argument deltas; Ollama sends each call's arguments whole", async () => {
    const { data } = await stream("tool-calls");
    const added = data.filter((event) => event.type === "response.output_item.added");
    expect(added.map((event) => (event.item as { name: string }).name)).toEqual(["get_weather", "get_time"]);
    expect(deltas(data, "response.function_call_arguments.delta")).toBe(
      '{"city": "Paris"}{"timezone": "Europe/Paris"}',
    );
    const ollama = await stream("tool-calls", { "x-mock-flavor": "ollama" });
    expect(
      ollama.data
        .filter((event) => event.type === "response.function_call_arguments.delta")
        .map((e) => e.delta),
    ).toEqual(['{"city": "Paris"}', '{"timezone": "Europe/Paris"}']);
  });

  it("failed and event-error end with response.failed / an error event after five tokens", async () => {
    const failed = await stream("failed");
    expect(deltas(failed.data, "response.output_text.delta")).toBe(MOCK_ANSWER_TOKENS.slice(0, 5).join(""));
    expect(failed.data.at(-1)).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "server_error" } },
    });
    const error = await stream("event-error");
    expect(error.names.at(-1)).toBe("error");
    expect(error.data.at(-1)).toMatchObject({ type: "error", code: "server_error" });
  });

  it("truncated ends the body after five tokens with no terminal event", async () => {
    const { response, data } = await stream("truncated");
    expect(response.error).toBeUndefined();
    expect(deltas(data, "response.output_text.delta")).toBe(MOCK_ANSWER_TOKENS.slice(0, 5).join(""));
    expect(data.some((event) => event.type.startsWith("response.completed"))).toBe(false);
  });

  it("stream:false (and non-stream-json) answers one response object", async () => {
    for (const [scenario, stream] of [
      ["ok", false],
      ["non-stream-json", true],
    ] as const) {
      const response = await rawRequest(`${mock.url}/s/${scenario}/v1/responses`, { ...body, stream });
      expect(response.headers["content-type"]).toContain("application/json");
      expect(JSON.parse(response.body.toString())).toMatchObject({
        object: "response",
        status: "completed",
        output: [{ type: "message", content: [{ type: "output_text", text: MOCK_ANSWER }] }],
        usage: { output_tokens: 20 },
      });
    }
  });

  it("refuses Responses-only scenarios on the chat routes, naming /v1/responses", async () => {
    const response = await rawRequest(`${mock.url}/s/failed/v1/chat/completions`, {
      messages: [{ role: "user", content: "hi" }],
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.message).toContain("/v1/responses");
  });
});
