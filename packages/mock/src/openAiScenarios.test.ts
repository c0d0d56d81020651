import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { rawRequest, sseChunks, sseContent, sseData, sseDeltas } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const base = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true };
const usage = { stream_options: { include_usage: true } };
const text = async (scenario: string, extra: Record<string, unknown> = {}) =>
  (await rawRequest(`${mock.url}/s/${scenario}/v1/chat/completions`, { ...base, ...extra })).body.toString(
    "utf8",
  );

type ToolFragment = { index: number; id?: string; function?: { name?: string; arguments?: string } };
function assembleTools(body: string): { id: string; name: string; arguments: unknown }[] {
  const calls: { id: string; name: string; parts: string[] }[] = [];
  for (const delta of sseDeltas(body)) {
    for (const fragment of (delta.tool_calls ?? []) as ToolFragment[]) {
      const call = (calls[fragment.index] ??= { id: "", name: "", parts: [] });
      if (fragment.id !== undefined) call.id = fragment.id;
      if (fragment.function?.name !== undefined) call.name = fragment.function.name;
      if (fragment.function?.arguments) call.parts.push(fragment.function.arguments);
    }
  }
  return calls.map((call) => ({ id: call.id, name: call.name, arguments: JSON.parse(call.parts.join("")) }));
}

describe("usage and timings dialects", () => {
  it("llamacpp puts timings on the finish chunk and sends no usage unless asked", async () => {
    const chunks = sseChunks(await text("llamacpp"));
    expect(chunks.some((chunk) => "usage" in chunk)).toBe(false);
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finish_reason: "stop" }],
      timings: { prompt_n: 1, predicted_n: MOCK_ANSWER_TOKENS.length, predicted_per_second: 100 },
    });
    expect(Object.keys(chunks.at(-1)?.timings as object)).toEqual(
      expect.arrayContaining(["prompt_ms", "predicted_ms", "prompt_per_second", "predicted_per_token_ms"]),
    );
  });

  it("llamacpp moves timings to the usage chunk when include_usage is requested", async () => {
    const chunks = sseChunks(await text("llamacpp", usage));
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { completion_tokens: 20 },
      timings: { prompt_n: 1 },
    });
    expect(chunks.at(-2)).not.toHaveProperty("timings");
  });

  it("vllm-multi-token packs several tokens per chunk", async () => {
    const body = await text("vllm-multi-token", usage);
    const contents = sseDeltas(body).filter(
      (delta) => typeof delta.content === "string" && delta.content !== "",
    );
    expect(contents.length).toBeLessThan(MOCK_ANSWER_TOKENS.length / 2);
    expect(sseContent(body)).toBe(MOCK_ANSWER);
    expect(sseChunks(body).at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 20 } });
  });

  it("reject-stream-options answers 400 only when stream_options is present", async () => {
    const rejected = await rawRequest(`${mock.url}/s/reject-stream-options/v1/chat/completions`, {
      ...base,
      ...usage,
    });
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body.toString()).error.message).toBe(
      "Unrecognized request argument supplied: stream_options",
    );
    expect(sseContent(await text("reject-stream-options"))).toBe(MOCK_ANSWER);
  });

  it("no-usage ignores include_usage", async () => {
    const chunks = sseChunks(await text("no-usage", usage));
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });
});

describe("reasoning dialects", () => {
  for (const [scenario, field] of [
    ["reasoning-content", "reasoning_content"],
    ["reasoning", "reasoning"],
  ] as const) {
    it(`${scenario} streams delta.${field} before the content`, async () => {
      const deltas = sseDeltas(await text(scenario));
      const reasoning = deltas.flatMap((delta) => (typeof delta[field] === "string" ? [delta[field]] : []));
      expect(reasoning.join("")).toBe("The user wants a greeting.");
      const firstContent = deltas.findIndex(
        (delta) => typeof delta.content === "string" && delta.content !== "",
      );
      const lastReasoning = deltas.findLastIndex((delta) => field in delta);
      expect(firstContent).toBeGreaterThan(lastReasoning);
    });
  }

  it("think-tags splits <think> and </think> across chunks", async () => {
    const body = await text("think-tags");
    const contents = sseDeltas(body).map((delta) => delta.content);
    expect(contents).toContain("<th");
    expect(contents).toContain("ink>");
    expect(sseContent(body)).toBe(`<think>The user wants a greeting.</think>\n\n${MOCK_ANSWER}`);
  });

  it("think-no-open has only the closing tag", async () => {
    expect(sseContent(await text("think-no-open"))).toBe(
      `The user wants a greeting.</think>\n\n${MOCK_ANSWER}`,
    );
  });

  it("stray-close has a </think> inside the answer", async () => {
    const content = sseContent(await text("stray-close"));
    expect(content).toContain(" </think>");
    expect(content.replace(" </think>", "")).toBe(MOCK_ANSWER);
  });
});

describe("tool-call dialects", () => {
  it("tool-calls streams two calls by index, the first fragment with arguments empty", async () => {
    const body = await text("tool-calls");
    const first = (sseDeltas(body)[0]?.tool_calls as ToolFragment[])[0];
    expect(first).toEqual({
      index: 0,
      id: "call_mock_0",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(assembleTools(body)).toEqual([
      { id: "call_mock_0", name: "get_weather", arguments: { city: "Paris" } },
      { id: "call_mock_1", name: "get_time", arguments: { timezone: "Europe/Paris" } },
    ]);
    const finish = sseChunks(body).at(-1) as { choices: { finish_reason: string }[] };
    expect(finish.choices[0]?.finish_reason).toBe("tool_calls");
    expect(sseData(body).at(-1)).toBe("[DONE]");
  });

  it("tool-calls-args-object-start omits arguments on the name fragment and sends one call whole", async () => {
    const body = await text("tool-calls-args-object-start");
    const fragments = sseDeltas(body).flatMap((delta) => (delta.tool_calls ?? []) as ToolFragment[]);
    expect(fragments[0]?.function).toEqual({ name: "get_weather" });
    expect(fragments.at(-1)?.function).toEqual({
      name: "get_time",
      arguments: '{"timezone": "Europe/Paris"}',
    });
    expect(assembleTools(body).map((call) => call.arguments)).toEqual([
      { city: "Paris" },
      { timezone: "Europe/Paris" },
    ]);
  });
});
