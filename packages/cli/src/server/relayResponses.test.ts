// biome-ignore-all lint/suspicious/noExplicitAny: the tests read loosely typed wire JSON

import { disposeEngine } from "@llmstream/engine";
import type { Scenario } from "@llmstream/mock";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { isLlmstreamError, streamChat } from "llmstream";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../../engine/src/engineTestModels.test-helper.js";
import { responsesStream } from "../../../mock/src/responsesStream.js";
import { createEngineBackend } from "./createEngineBackend.js";
import { createRelayBackend } from "./createRelayBackend.js";
import { createServeApp, type ServeApp } from "./createServeApp.js";
import { parseUpstream } from "./parseUpstream.js";
import { type NodeServer, serveNode } from "./serveNode.js";

// serve as a relay in front of a Responses upstream (the mock's /v1/responses scenarios), read by
// clients of both of serve's APIs; and llmstream's Responses client against serve's /v1/responses.
const flavors = ["openai", "ollama", "vllm", "llamacpp"] as const;
const REASONING = ["The", " user", " wants", " a", " greeting", "."];
const CALLS = [
  { name: "get_weather", arguments: ['{"city"', ': "Par', 'is"}'] },
  { name: "get_time", arguments: ['{"timezone":', ' "Europe/Paris"}'] },
];
/** Every flavor of server habits, as scenarios: the relay cannot send the mock's flavor header. */
const flavored: Record<string, Scenario> = {};
for (const flavor of flavors) {
  flavored[`${flavor}-reasoning`] = (context) => responsesStream(context, { reasoning: REASONING, flavor });
  flavored[`${flavor}-tools`] = (context) => responsesStream(context, { calls: CALLS, flavor });
  flavored[`${flavor}-incomplete`] = (context) =>
    responsesStream(context, { tokens: ["Hello", "!", " Meet"], ending: "incomplete", flavor });
}
// Fails after its preamble (response.created, response.in_progress) and before any output.
flavored["failed-early"] = (context) => responsesStream(context, { tokens: [], ending: "failed" });

let mock: MockServer;
const opened: { app: ServeApp; server?: NodeServer }[] = [];

beforeAll(async () => {
  mock = await createMockServer({ scenarios: flavored });
});
afterAll(async () => {
  for (const { app, server } of opened) {
    await server?.close();
    await app.shutdown({ graceMs: 0 });
  }
  await mock.close();
  await disposeEngine();
});

/** serve relaying to the mock's `scenario`, configured as `--upstream responses+URL` would. */
function relay(scenario: string, ...more: string[]): ServeApp {
  const app = createServeApp({
    backend: createRelayBackend({
      upstreams: [scenario, ...more].map((s) => parseUpstream(`${s}=responses+${mock.url}/s/${s}/v1`)),
      timeouts: { idleMs: 300, firstTokenMs: 2000 },
      // Ties go to the first upstream listed, so the order of the attempts is known.
      random: () => 0.99,
    }),
  });
  opened.push({ app });
  return app;
}

async function listen(app: ServeApp): Promise<string> {
  const server = await serveNode(app, { port: 0 });
  opened.push({ app, server });
  return `${server.url}/v1`;
}

const post = (route: string, body: Record<string, unknown>) =>
  new Request(`http://127.0.0.1/v1/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-mock", stream: true, ...body }),
  });

/** A chat-completions stream as a client reads it. */
async function chat(app: ServeApp, extra: Record<string, unknown> = {}) {
  const response = await app.fetch(
    post("chat/completions", {
      messages: [{ role: "user", content: "Hi" }],
      stream_options: { include_usage: true },
      ...extra,
    }),
  );
  const wire = await response.text();
  const data = wire
    .split("\n\n")
    .filter((frame) => frame.startsWith("data: "))
    .map((frame) => frame.slice(6));
  const chunks = data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as any);
  const deltas = chunks.flatMap((c) => (c.choices ?? []).map((choice: any) => choice.delta ?? {}));
  return {
    status: response.status,
    wire,
    done: data.at(-1) === "[DONE]",
    error: chunks.find((c) => c.error !== undefined)?.error,
    text: deltas.map((d) => d.content ?? "").join(""),
    reasoning: deltas.map((d) => d.reasoning_content ?? "").join(""),
    toolCalls: deltas.flatMap((d) => d.tool_calls ?? []),
    finish: chunks.flatMap((c) => c.choices ?? []).find((choice: any) => choice.finish_reason)?.finish_reason,
    usage: chunks.find((c) => c.usage)?.usage,
  };
}

/** A Responses stream as a client reads it: the typed events in order. */
async function responses(app: ServeApp, extra: Record<string, unknown> = {}) {
  const response = await app.fetch(post("responses", { input: "Hi", ...extra }));
  const wire = await response.text();
  const events = wire
    .split("\n\n")
    .filter((frame) => frame.includes("data: "))
    .map((frame) => JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as any);
  const join = (type: string) =>
    events
      .filter((e) => e.type === type)
      .map((e) => e.delta)
      .join("");
  return {
    status: response.status,
    wire,
    events,
    types: events.map((e) => e.type as string),
    last: events.at(-1),
    text: join("response.output_text.delta"),
    reasoning: join("response.reasoning_text.delta"),
  };
}

describe("relay to a Responses upstream (--upstream responses+URL)", () => {
  it("parses responses+URL as a Responses upstream at that base URL", () => {
    expect(parseUpstream("up=responses+http://127.0.0.1:9/s/ok/v1/")).toEqual({
      name: "up",
      url: "http://127.0.0.1:9/s/ok/v1",
      protocol: "responses",
    });
  });

  it("ok: both APIs get the upstream's text and its usage, from its /v1/responses", async () => {
    const app = relay("ok");
    const before = mock.requests.length;
    const viaChat = await chat(app);
    const upstreamCall = mock.requests[before];
    expect(upstreamCall?.path).toBe("/s/ok/v1/responses");
    expect(upstreamCall?.body).toMatchObject({ model: "gpt-mock", stream: true, input: [{ role: "user" }] });
    expect(viaChat).toMatchObject({ status: 200, done: true, text: MOCK_ANSWER, finish: "stop" });
    expect(viaChat.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 20, total_tokens: 21 });

    const viaResponses = await responses(app);
    expect(viaResponses.status).toBe(200);
    expect(viaResponses.text).toBe(MOCK_ANSWER);
    expect(viaResponses.events.map((e) => e.sequence_number)).toEqual(viaResponses.events.map((_, i) => i));
    expect(viaResponses.types[0]).toBe("response.created");
    expect(viaResponses.last).toMatchObject({
      type: "response.completed",
      response: { status: "completed", usage: { input_tokens: 1, output_tokens: 20, total_tokens: 21 } },
    });
    expect(viaResponses.wire).not.toMatch(/\[DONE\]/);
  });

  it("a /v1/responses request reaches the Responses upstream as the client wrote it: items, instructions, options", async () => {
    const app = relay("ok");
    const input = [
      { role: "user", content: "Weather in Paris?" },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: "call_1", output: "sunny" },
      { role: "user", content: "And tomorrow?" },
    ];
    const options = {
      instructions: "Be brief",
      max_output_tokens: 7,
      temperature: 0.5,
      top_p: 0.9,
      parallel_tool_calls: false,
      reasoning: { effort: "low" },
      text: { format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true } },
    };
    const before = mock.requests.length;
    const viaResponses = await responses(app, { input, ...options });
    expect(mock.requests[before]?.body).toEqual({
      model: "gpt-mock",
      stream: true,
      store: false,
      input,
      ...options,
    });
    expect(viaResponses.last).toMatchObject({
      type: "response.incomplete",
      response: { usage: { output_tokens: 7 } },
    });
  });

  it("a non-streamed request to either API gets the whole answer with usage", async () => {
    const app = relay("ok");
    const completion = (await (
      await app.fetch(
        post("chat/completions", { stream: false, messages: [{ role: "user", content: "Hi" }] }),
      )
    ).json()) as any;
    expect(completion.choices[0].message.content).toBe(MOCK_ANSWER);
    expect(completion.usage.completion_tokens).toBe(20);
    const response = (await (
      await app.fetch(post("responses", { stream: false, input: "Hi" }))
    ).json()) as any;
    expect(response).toMatchObject({ object: "response", status: "completed", usage: { output_tokens: 20 } });
    expect(response.output[0].content[0].text).toBe(MOCK_ANSWER);
  });

  for (const flavor of flavors) {
    it(`${flavor} habits: reasoning arrives as reasoning on both APIs, with the reasoning token count`, async () => {
      const app = relay(`${flavor}-reasoning`);
      const viaChat = await chat(app);
      expect(viaChat).toMatchObject({ done: true, reasoning: REASONING.join(""), text: MOCK_ANSWER });
      // Ollama reports 0 reasoning tokens even after reasoning, and llama.cpp no details: the core
      // drops the false zero, so neither relays a count; the others' count reaches the client.
      const details = viaChat.usage?.completion_tokens_details?.reasoning_tokens;
      expect(details).toBe(flavor === "ollama" || flavor === "llamacpp" ? undefined : REASONING.length);
      expect(viaChat.usage?.completion_tokens).toBe(REASONING.length + 20);
      const viaResponses = await responses(app);
      expect(viaResponses).toMatchObject({ reasoning: REASONING.join(""), text: MOCK_ANSWER });
      expect(viaResponses.last.type).toBe("response.completed");
      expect(viaResponses.last.response.output.map((item: any) => item.type)).toEqual([
        "reasoning",
        "message",
      ]);
    });

    it(`${flavor} habits: function calls reach both APIs whole, and the tools go upstream in the Responses form`, async () => {
      const app = relay(`${flavor}-tools`);
      const tools = [{ type: "function", name: "get_weather", parameters: { type: "object" } }];
      const before = mock.requests.length;
      const viaResponses = await responses(app, { tools, tool_choice: "auto" });
      expect((mock.requests[before]?.body as any).tools).toEqual(tools);
      const calls = viaResponses.last.response.output;
      expect(viaResponses.last.type).toBe("response.completed");
      expect(calls).toMatchObject([
        { type: "function_call", name: "get_weather", arguments: '{"city": "Paris"}' },
        { type: "function_call", name: "get_time", arguments: '{"timezone": "Europe/Paris"}' },
      ]);
      expect(calls[0].call_id).not.toBe(calls[1].call_id);

      const viaChat = await chat(app, {
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
      });
      expect((mock.requests.at(-1)?.body as any).tools).toEqual(tools);
      expect(viaChat).toMatchObject({ done: true, finish: "tool_calls" });
      const args = (index: number) =>
        viaChat.toolCalls
          .filter((call: any) => call.index === index)
          .map((call: any) => call.function?.arguments ?? "")
          .join("");
      expect(
        viaChat.toolCalls.filter((call: any) => call.function?.name).map((c: any) => c.function.name),
      ).toEqual(["get_weather", "get_time"]);
      expect(args(0)).toBe('{"city": "Paris"}');
      expect(args(1)).toBe('{"timezone": "Europe/Paris"}');
    });
  }

  it("openai and vllm habits: an answer cut by the limit is finish_reason length / response.incomplete", async () => {
    for (const flavor of ["openai", "vllm"]) {
      const app = relay(`${flavor}-incomplete`);
      const viaChat = await chat(app);
      expect(viaChat).toMatchObject({ done: true, text: "Hello! Meet", finish: "length" });
      const viaResponses = await responses(app);
      expect(viaResponses.last).toMatchObject({
        type: "response.incomplete",
        response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
      });
    }
  });

  // Every way a Responses upstream can fail after its first token: the client of either API gets an
  // error, never a clean end (no [DONE], no response.completed).
  const faults: [scenario: string, code: string][] = [
    ["truncated", "upstream_truncated"],
    ["reset", "upstream_unreachable"],
    ["failed", "upstream_error"],
    ["event-error", "upstream_error"],
    ["stall", "upstream_timeout"],
  ];
  for (const [scenario, code] of faults) {
    it(`${scenario}: an in-band error on both APIs, after the text received so far`, async () => {
      const app = relay(scenario);
      const viaChat = await chat(app);
      expect(viaChat.status).toBe(200);
      expect(viaChat.done).toBe(false);
      expect(viaChat.finish).toBeUndefined();
      expect(viaChat.error).toMatchObject({ code, message: expect.any(String) });
      expect(MOCK_ANSWER.startsWith(viaChat.text)).toBe(true);
      expect(viaChat.text.length).toBeGreaterThan(0);

      const viaResponses = await responses(app);
      expect(viaResponses.status).toBe(200);
      expect(viaResponses.types).not.toContain("response.completed");
      expect(viaResponses.types).not.toContain("response.incomplete");
      expect(viaResponses.last).toMatchObject({
        type: "response.failed",
        response: { status: "failed", error: { code } },
      });
      // What the client already has is in the failed response, marked incomplete.
      expect(viaResponses.last.response.output).toMatchObject([
        { type: "message", status: "incomplete", content: [{ text: viaResponses.text }] },
      ]);
    });
  }
});

describe("relay to a Responses upstream: failover and disconnects", () => {
  it("fails over when the upstream fails before its first token, holding its response.created back", async () => {
    const app = relay("failed-early", "ok");
    const before = mock.requests.length;
    const viaResponses = await responses(app);
    expect(mock.requests.slice(before).map((r) => r.path)).toEqual([
      "/s/failed-early/v1/responses",
      "/s/ok/v1/responses",
    ]);
    expect(viaResponses.text).toBe(MOCK_ANSWER);
    expect(viaResponses.types.filter((type) => type === "response.created")).toHaveLength(1);
    expect(viaResponses.types).not.toContain("response.failed");
    expect(viaResponses.last.type).toBe("response.completed");
    const viaChat = await chat(app);
    expect(viaChat).toMatchObject({ done: true, text: MOCK_ANSWER });
    expect(viaChat.error).toBeUndefined();
  });

  it("a client that leaves /v1/responses mid-stream closes the upstream request within 100 ms", async () => {
    const backend = createRelayBackend({ upstreams: [parseUpstream(`u=responses+${mock.url}/s/slow/v1`)] });
    const app = createServeApp({ backend });
    let seenGoneAt = Number.NaN;
    const server = await serveNode(
      {
        ...app,
        fetch: (request: Request) => {
          request.signal.addEventListener("abort", () => {
            seenGoneAt = performance.now();
          });
          return app.fetch(request);
        },
      },
      { port: 0 },
    );
    opened.push({ app, server });
    const before = mock.requests.length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/responses`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, input: "Hi" }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes("response.output_text.delta")) {
      const step = await reader.read();
      if (step.done) throw new Error(`The stream ended before a token: ${seen}`);
      seen += decoder.decode(step.value);
    }
    expect(mock.requests[before]?.path).toBe("/s/slow/v1/responses");
    controller.abort();
    const record = await mock.waitForClose(before, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
    expect(performance.now() - seenGoneAt).toBeLessThan(100);
    const started = performance.now();
    while (backend.inFlight().u !== 0) {
      if (performance.now() - started > 2000) throw new Error("in-flight never went back to 0");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
});

describe("llmstream's Responses client against serve's /v1/responses (our encoder, our parser)", () => {
  it("over the relay: text, usage, reasoning and tool calls as the upstream sent them", async () => {
    const read = async (scenario: string) =>
      streamChat({
        baseURL: await listen(relay(scenario)),
        protocol: "responses",
        model: "gpt-mock",
        messages: [{ role: "user", content: "Hi" }],
      }).result;
    const ok = await read("ok");
    expect(ok).toMatchObject({ text: MOCK_ANSWER, finishReason: "stop" });
    expect(ok.usage).toMatchObject({ promptTokens: 1, completionTokens: 20, source: "server" });
    const reasoning = await read("openai-reasoning");
    expect(reasoning).toMatchObject({ text: MOCK_ANSWER, reasoning: REASONING.join("") });
    expect(reasoning.usage).toMatchObject({ completionTokens: 26, reasoningTokens: 6 });
    const tools = await read("vllm-tools");
    expect(tools.finishReason).toBe("tool_calls");
    expect(tools.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
      { name: "get_weather", args: '{"city": "Paris"}' },
      { name: "get_time", args: '{"timezone": "Europe/Paris"}' },
    ]);
  });

  it("over the relay: a cut upstream rejects the result with the partial text", async () => {
    const stream = streamChat({
      baseURL: await listen(relay("truncated")),
      protocol: "responses",
      model: "gpt-mock",
      messages: [{ role: "user", content: "Hi" }],
    });
    const error = await stream.result.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isLlmstreamError(error)).toBe(true);
    if (!isLlmstreamError(error)) return;
    expect(error.message).toMatch(/upstream/i);
    expect(error.partial?.text.length).toBeGreaterThan(0);
    expect(MOCK_ANSWER.startsWith(error.partial?.text ?? "x")).toBe(true);
  });

  it("openai-node's responses.create({ stream: true }) over the relay sees the reasoning and the answer", async () => {
    const client = new OpenAI({
      apiKey: "unused",
      baseURL: await listen(relay("ollama-reasoning")),
      maxRetries: 0,
    });
    const stream = await client.responses.create({ model: "gpt-mock", input: "Hi", stream: true });
    const text: string[] = [];
    const reasoning: string[] = [];
    let completed: any;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text.push(event.delta);
      if (event.type === "response.reasoning_text.delta") reasoning.push(event.delta);
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text.join("")).toBe(MOCK_ANSWER);
    expect(reasoning.join("")).toBe(REASONING.join(""));
    expect(completed?.usage?.output_tokens).toBe(26);
  });

  it("over the engine: the same story as the chat API, with the engine's token counts", async () => {
    const baseURL = await listen(
      createServeApp({ backend: createEngineBackend({ modelFile: storiesModel, parallel: 1 }) }),
    );
    const read = (protocol: "openai" | "responses") =>
      streamChat({
        baseURL,
        protocol,
        model: "stories260K",
        messages: [{ role: "user", content: "Once upon a time" }],
        maxTokens: 24,
        temperature: 0,
      }).result;
    const viaChat = await read("openai");
    const viaResponses = await read("responses");
    expect(viaResponses.text.length).toBeGreaterThan(0);
    expect(viaResponses.text).toBe(viaChat.text);
    expect(viaResponses.finishReason).toBe("length");
    expect(viaResponses.rawFinishReason).toBe("max_output_tokens");
    expect(viaResponses.usage).toMatchObject({
      promptTokens: viaChat.usage.promptTokens,
      completionTokens: 24,
      totalTokens: viaChat.usage.promptTokens + 24,
      source: "server",
    });
    expect(viaResponses.metrics.ttftMs).toBeGreaterThan(0);
  }, 60_000);
});
