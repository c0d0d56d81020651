import { disposeEngine } from "@llmstream/engine";
import type { FinishInfo } from "llmstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../../engine/src/engineTestModels.test-helper.js";
import { createEngineBackend } from "./createEngineBackend.js";
import { createServeApp, type ServeApp } from "./createServeApp.js";
import { type NodeServer, serveNode } from "./serveNode.js";

const finished: FinishInfo[] = [];
const backend = createEngineBackend({
  modelFile: storiesModel,
  parallel: 2,
  queue: 1,
  onFinish: (info) => finished.push(info),
});
let app: ServeApp;
let server: NodeServer;
let clientGoneAt = Number.NaN;

beforeAll(async () => {
  app = createServeApp({ backend });
  // Records when the server saw a client go (the adapter aborts request.signal on socket close).
  server = await serveNode(
    {
      ...app,
      fetch: (incoming: Request) => {
        incoming.signal.addEventListener("abort", () => {
          clientGoneAt = performance.now();
        });
        return app.fetch(incoming);
      },
    },
    { port: 0 },
  );
  // Loads the model once, so the tests below time generation, not loading.
  await (await app.fetch(request({ max_tokens: 2 }))).text();
}, 60_000);
afterAll(async () => {
  await server.close();
  await app.shutdown({ graceMs: 0 });
  await disposeEngine();
});

function request(extra: Record<string, unknown> = {}, signal?: AbortSignal): Request {
  return new Request("http://127.0.0.1/v1/chat/completions", {
    method: "POST",
    body: JSON.stringify({
      model: "stories260K",
      messages: [{ role: "user", content: "Once upon a time" }],
      temperature: 0,
      ...extra,
    }),
    ...(signal === undefined ? {} : { signal }),
  });
}

const until = async (condition: () => boolean, timeoutMs = 5000) => {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error("Timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - started;
};

describe("serve over the embedded engine", () => {
  it("runs --parallel requests at once, queues --queue more, and answers 429 with Retry-After beyond", async () => {
    const controllers = [0, 1, 2].map(() => new AbortController());
    const running = controllers.map((c) => app.fetch(request({ stream: true, max_tokens: 400 }, c.signal)));
    const rejected = await app.fetch(request({ stream: true }));
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get("retry-after")).toBe("1");
    expect(backend.health()).toMatchObject({ slots: 2, active: 2, queued: 1 });
    for (const c of controllers) c.abort();
    await Promise.allSettled(running);
    await until(() => (backend.health() as { active: number }).active === 0);
    expect(backend.queueDepth()).toBe(0);
  });

  it("streams the same answer as a non-streamed request, with engine token counts", async () => {
    const streamed = await (
      await app.fetch(request({ stream: true, max_tokens: 12, stream_options: { include_usage: true } }))
    ).text();
    const whole = (await (await app.fetch(request({ max_tokens: 12 }))).json()) as {
      choices: { message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    const text = streamed
      .split("\n\n")
      .filter((block) => block.startsWith("data: {"))
      .map((block) => JSON.parse(block.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(whole.usage.completion_tokens).toBe(12);
    expect(streamed).toMatch(/"completion_tokens":12/);
  });

  it("answers 404 for a model it does not run", async () => {
    const response = await app.fetch(request({ model: "gpt-4o" }));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });

  it("refuses tools and JSON output with a 400 naming the field, rather than ignoring them", async () => {
    const tool = { type: "function", function: { name: "get_weather", parameters: { type: "object" } } };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ tools: [tool] }, "tools", "tools_unsupported"],
      [{ tools: [tool], tool_choice: "auto", stream: true }, "tools", "tools_unsupported"],
      [{ response_format: { type: "json_object" } }, "response_format", "response_format_unsupported"],
      [
        { response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } } },
        "response_format",
        "response_format_unsupported",
      ],
    ];
    for (const [extra, param, code] of cases) {
      const response = await app.fetch(request(extra));
      expect(response.status, JSON.stringify(extra)).toBe(400);
      const { error } = (await response.json()) as {
        error: { param: string; code: string; message: string };
      };
      expect(error).toMatchObject({ param, code });
      expect(error.message).toMatch(/embedded engine/);
    }
    // What only changes how an answer reads is accepted: no tools, tool_choice "none", a text format.
    for (const extra of [
      { tools: [], frequency_penalty: 0.5, user: "u1" },
      { tools: [tool], tool_choice: "none" },
      { response_format: { type: "text" } },
    ]) {
      const response = await app.fetch(request({ ...extra, max_tokens: 3 }));
      expect(response.status, JSON.stringify(extra)).toBe(200);
      await response.text();
    }
    // The Responses API's function tools are the same tools.
    const responses = await app.fetch(
      new Request("http://127.0.0.1/v1/responses", {
        method: "POST",
        body: JSON.stringify({
          model: "stories260K",
          input: "Hi",
          tools: [{ type: "function", name: "get_weather", parameters: { type: "object" } }],
        }),
        headers: { "content-type": "application/json" },
      }),
    );
    expect(responses.status).toBe(400);
    expect(((await responses.json()) as { error: { param: string } }).error.param).toBe("tools");
  });

  it("stops decoding within 100 ms when the client disconnects mid-stream", async () => {
    finished.length = 0;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "stories260K",
        stream: true,
        max_tokens: 100_000,
        messages: [{ role: "user", content: "Once upon a time" }],
      }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await until(() => finished.length === 1);
    // From the server seeing the client go to the engine having stopped and reported it.
    expect(performance.now() - clientGoneAt).toBeLessThan(100);
    expect(finished[0]?.result.finishReason).toBe("aborted");
    const tokensAtStop = finished[0]?.result.usage.completionTokens ?? 0;
    expect(tokensAtStop).toBeGreaterThan(0);
    // Nothing keeps decoding after the stop: the slot is free and no further tokens were counted.
    expect((backend.health() as { active: number }).active).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toHaveLength(1);
  });

  it("stops decoding when the client of a non-streamed request goes away", async () => {
    finished.length = 0;
    const controller = new AbortController();
    const pending = app.fetch(request({ max_tokens: 100_000 }, controller.signal));
    await until(() => (backend.health() as { active: number }).active === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const abortedAt = performance.now();
    controller.abort();
    await until(() => finished.length === 1);
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(finished[0]?.result.finishReason).toBe("aborted");
    expect((await pending).status).toBe(499);
  });
});
