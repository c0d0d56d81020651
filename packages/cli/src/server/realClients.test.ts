import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { disposeEngine } from "@llmstream/engine";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { streamText } from "ai";
import { streamChat } from "llmstream";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../../engine/src/engineTestModels.test-helper.js";
import { createEngineBackend } from "./createEngineBackend.js";
import { createRelayBackend } from "./createRelayBackend.js";
import { createServeApp, type ServeApp } from "./createServeApp.js";
import { type NodeServer, serveNode } from "./serveNode.js";

// Real clients, unchanged, as the judges of the wire format: openai-node, the AI SDK, llmstream.
let mock: MockServer;
const servers: { app: ServeApp; server: NodeServer }[] = [];
const modes: Record<string, { baseURL: string; model: string; expected?: string }> = {};

async function start(app: ServeApp): Promise<string> {
  const server = await serveNode(app, { port: 0 });
  servers.push({ app, server });
  return `${server.url}/v1`;
}

beforeAll(async () => {
  mock = await createMockServer();
  const relay = (scenario: string) =>
    createServeApp({
      backend: createRelayBackend({
        upstreams: [{ name: "mock", url: `${mock.url}/s/${scenario}/v1`, protocol: "openai" }],
      }),
      maxTokensCap: 64,
    });
  modes.relay = { baseURL: await start(relay("ok")), model: "gpt-mock", expected: MOCK_ANSWER };
  modes.relayTools = { baseURL: await start(relay("tool-calls")), model: "gpt-mock" };
  modes.relayCut = { baseURL: await start(relay("truncated")), model: "gpt-mock" };
  modes.engine = {
    baseURL: await start(
      createServeApp({
        backend: createEngineBackend({ modelFile: storiesModel, parallel: 2 }),
        maxTokensCap: 24,
      }),
    ),
    model: "stories260K",
  };
}, 60_000);
afterAll(async () => {
  for (const { app, server } of servers) {
    await server.close();
    await app.shutdown({ graceMs: 0 });
  }
  await mock.close();
  await disposeEngine();
});

const sdk = (mode: string) =>
  new OpenAI({ apiKey: "unused", baseURL: modes[mode]?.baseURL ?? "", maxRetries: 0 });
const messages = [{ role: "user" as const, content: "Once upon a time" }];

describe.each(["relay", "engine"])("real clients against serve (%s)", (mode) => {
  const model = () => modes[mode]?.model ?? "";
  const expectAnswer = (text: string) => {
    const expected = modes[mode]?.expected;
    if (expected !== undefined) expect(text).toBe(expected);
    else expect(text.length).toBeGreaterThan(0);
  };

  it("openai-node chat.completions.create({ stream: true })", async () => {
    const stream = await sdk(mode).chat.completions.create({
      model: model(),
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const parts: string[] = [];
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      parts.push(chunk.choices[0]?.delta.content ?? "");
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expectAnswer(parts.join(""));
    expect(finish).toMatch(/^(stop|length)$/);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("openai-node's .stream() helper", async () => {
    const completion = await sdk(mode)
      .chat.completions.stream({ model: model(), messages })
      .finalChatCompletion();
    expectAnswer(completion.choices[0]?.message.content ?? "");
    expect(completion.model).toBe(model());
  });

  it("openai-node responses.create({ stream: true })", async () => {
    const stream = await sdk(mode).responses.create({
      model: model(),
      input: "Once upon a time",
      stream: true,
    });
    const deltas: string[] = [];
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") deltas.push(event.delta);
      if (event.type === "response.completed" || event.type === "response.incomplete") final = event.response;
    }
    expectAnswer(deltas.join(""));
    expect(final?.output_text ?? deltas.join("")).toBe(deltas.join(""));
    expect(final?.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("AI SDK streamText with @ai-sdk/openai-compatible", async () => {
    const provider = createOpenAICompatible({ name: "llmstream", baseURL: modes[mode]?.baseURL ?? "" });
    const result = streamText({ model: provider.chatModel(model()), prompt: "Once upon a time" });
    expectAnswer(await result.text);
  });

  it("AI SDK streamText with @ai-sdk/openai's Responses model", async () => {
    const provider = createOpenAI({ baseURL: modes[mode]?.baseURL ?? "", apiKey: "unused" });
    const result = streamText({ model: provider.responses(model()), prompt: "Once upon a time" });
    expectAnswer(await result.text);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it("llmstream's own client", async () => {
    const result = await streamChat({ baseURL: modes[mode]?.baseURL ?? "", model: model(), messages }).result;
    expectAnswer(result.text);
    expect(result.usage.source).toBe("server");
  });
});

describe("real clients see upstream failures as errors", () => {
  it("openai-node throws on a relayed cut instead of ending cleanly", async () => {
    const stream = await sdk("relayCut").chat.completions.create({
      model: "gpt-mock",
      messages,
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of stream) {
        }
      })(),
    ).rejects.toThrow();
  });

  it("openai-node's helper assembles relayed tool calls", async () => {
    const completion = await sdk("relayTools")
      .chat.completions.stream({ model: "gpt-mock", messages })
      .finalChatCompletion();
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => (call.type === "function" ? call.function.name : ""))).toEqual([
      "get_weather",
      "get_time",
    ]);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
  });
});
