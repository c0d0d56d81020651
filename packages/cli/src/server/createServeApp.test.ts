// biome-ignore-all lint/suspicious/noExplicitAny: the tests read loosely typed wire JSON
import { describe, expect, it } from "vitest";
import { createServeApp, type ServeAppOptions } from "./createServeApp.js";
import { type ScriptStep, scriptedBackend } from "./scriptedBackend.test-helper.js";

const hello: ScriptStep[] = [{ text: "Hel" }, { text: "lo" }, { finish: "stop" }];

function app(script: ScriptStep[] = hello, options: Partial<ServeAppOptions> = {}) {
  const backend = scriptedBackend(script);
  return { app: createServeApp({ backend, ...options }), backend };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1:8080${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...extra,
});

/** The `data:` payloads of an SSE body, parsed (`[DONE]` kept as a string). */
function dataOf(text: string): unknown[] {
  return text
    .split("\n\n")
    .map((block) => block.split("\n").find((line) => line.startsWith("data: ")))
    .filter((line) => line !== undefined)
    .map((line) => line.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

describe("createServeApp: streamed chat completions", () => {
  it("sends the role chunk first, one finish chunk, no usage chunk unless asked, then [DONE]", async () => {
    const { app: server } = app();
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("content-length")).toBeNull();
    const events = dataOf(await response.text()) as Record<string, any>[];
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1);
    expect(chunks[0]?.choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0]?.delta.content).join("")).toBe("Hello");
    expect(chunks.filter((c) => c.choices[0]?.finish_reason !== null)).toHaveLength(1);
    expect(new Set(chunks.map((c) => `${c.id}|${c.created}|${c.model}`)).size).toBe(1);
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  it("adds a choices: [] usage chunk and usage: null elsewhere only with include_usage", async () => {
    const { app: server } = app();
    const response = await server.fetch(
      post("/v1/chat/completions", chat({ stream: true, stream_options: { include_usage: true } })),
    );
    const chunks = dataOf(await response.text()).slice(0, -1) as Record<string, any>[];
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("streams reasoning as reasoning_content and tool calls as tool-call deltas", async () => {
    const { app: server } = app([
      { reasoning: "think" },
      { tool: { id: "call_1", name: "get", arguments: '{"a":1}' } },
      { finish: "tool_calls" },
    ]);
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    const chunks = dataOf(await response.text()).slice(0, -1) as Record<string, any>[];
    expect(chunks[1]?.choices[0].delta).toEqual({ reasoning_content: "think" });
    expect(chunks[2]?.choices[0].delta.tool_calls).toEqual([
      { index: 0, id: "call_1", type: "function", function: { name: "get", arguments: '{"a":1}' } },
    ]);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe("tool_calls");
  });

  it("answers a failure before the first token with a real HTTP status and an OpenAI error body", async () => {
    const { app: server } = app([{ fail: "http-502" }]);
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    const busy = await app([{ fail: "http-429" }]).app.fetch(
      post("/v1/chat/completions", chat({ stream: true })),
    );
    expect(busy.status).toBe(429);
    expect(busy.headers.get("retry-after")).toBe("3");
  });

  it("sends a failure after the first token in-band, and never a clean end", async () => {
    const { app: server } = app([{ text: "Hel" }, { fail: "server" }]);
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    expect(response.status).toBe(200);
    const events = dataOf(await response.text()) as Record<string, any>[];
    expect(events).not.toContain("[DONE]");
    expect(events.at(-1)?.error.message).toMatch(/The model crashed/);
    expect(events.some((e) => e.choices?.[0]?.finish_reason)).toBe(false);
  });

  it("turns a stream that ends without a finish reason into an in-band error", async () => {
    const { app: server } = app([{ text: "Hel" }]);
    const text = await (await server.fetch(post("/v1/chat/completions", chat({ stream: true })))).text();
    expect(text).not.toContain("[DONE]");
    expect((dataOf(text).at(-1) as { error: { code: string } }).error.code).toBe("upstream_truncated");
  });

  it("holds the status line, then sends 200 and : ping comments while the first token is slow", async () => {
    const { app: server } = app([{ delayMs: 120 }, ...hello], { statusHoldMs: 20, pingIntervalMs: 30 });
    const started = performance.now();
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    expect(performance.now() - started).toBeLessThan(100);
    const text = await response.text();
    expect(text.indexOf(": ping")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(": ping")).toBeLessThan(text.indexOf("data: "));
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("stops the generation when the reader cancels the body", async () => {
    const { app: server, backend } = app([{ text: "a" }, { delayMs: 5000 }, { finish: "stop" }]);
    const response = await server.fetch(post("/v1/chat/completions", chat({ stream: true })));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const cancelled = performance.now();
    await reader.cancel();
    while (server.activeRequests() > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(performance.now() - cancelled).toBeLessThan(100);
    expect(backend.aborted).toBe(1);
  });
});

describe("createServeApp: other endpoints", () => {
  it("answers non-streamed chat with a chat.completion", async () => {
    const { app: server } = app([{ reasoning: "r" }, ...hello]);
    const body = (await (await server.fetch(post("/v1/chat/completions", chat()))).json()) as Record<
      string,
      any
    >;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message).toMatchObject({
      role: "assistant",
      content: "Hello",
      reasoning_content: "r",
    });
    expect(body.choices[0].finish_reason).toBe("stop");
    expect(body.usage.total_tokens).toBe(5);
  });

  it("streams /v1/completions as text_completion chunks", async () => {
    const { app: server } = app();
    const events = dataOf(
      await (
        await server.fetch(post("/v1/completions", { model: "m", prompt: "Once", stream: true }))
      ).text(),
    ) as Record<string, any>[];
    expect(events.at(-1)).toBe("[DONE]");
    expect(events[0]?.object).toBe("text_completion");
    expect(
      events
        .slice(0, -1)
        .map((e) => e.choices[0].text)
        .join(""),
    ).toBe("Hello");
  });

  it("streams /v1/responses as typed events with sequence numbers and no [DONE]", async () => {
    const { app: server } = app([{ reasoning: "r" }, ...hello]);
    const text = await (
      await server.fetch(post("/v1/responses", { model: "m", input: "Hi", stream: true }))
    ).text();
    expect(text).not.toContain("[DONE]");
    const events = dataOf(text) as Record<string, any>[];
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(types).toContain("response.reasoning_text.delta");
    expect(
      events
        .filter((e) => e.type === "response.output_text.delta")
        .map((e) => e.delta)
        .join(""),
    ).toBe("Hello");
    expect(events.at(-1)?.response.usage.output_tokens).toBe(2);
    expect(events.at(-1)?.response.output.map((item: { type: string }) => item.type)).toEqual([
      "reasoning",
      "message",
    ]);
  });

  it("ends a failed Responses stream with response.failed", async () => {
    const { app: server } = app([{ text: "a" }, { fail: "server" }]);
    const events = dataOf(
      await (await server.fetch(post("/v1/responses", { model: "m", input: "Hi", stream: true }))).text(),
    ) as Record<string, any>[];
    expect(events.at(-1)?.type).toBe("response.failed");
    expect(events.at(-1)?.response.error.message).toMatch(/crashed/);
  });

  it("refuses previous_response_id with a clear 400", async () => {
    const response = await app().app.fetch(
      post("/v1/responses", { model: "m", input: "Hi", previous_response_id: "resp_1" }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(
      "previous_response_id",
    );
  });

  it("lists models, reports health, serves Prometheus metrics", async () => {
    const { app: server } = app();
    await (await server.fetch(post("/v1/chat/completions", chat()))).text();
    const models = (await (await server.fetch(new Request("http://127.0.0.1/v1/models"))).json()) as any;
    expect(models.data[0]).toMatchObject({ id: "scripted", object: "model" });
    expect((await (await server.fetch(new Request("http://127.0.0.1/health"))).json()) as any).toMatchObject({
      status: "ok",
    });
    await new Promise((resolve) => setImmediate(resolve));
    const metrics = await (await server.fetch(new Request("http://127.0.0.1/metrics"))).text();
    expect(metrics).toMatch(/llmstream_serve_requests_total\{endpoint="chat",status="200",outcome="ok"\} 1/);
    expect(metrics).toMatch(/llmstream_serve_in_flight\{upstream="scripted"\} 0/);
    expect(metrics).toMatch(/llmstream_serve_queue_depth 0/);
  });

  it("tries the page handler for other GET requests and passes its headers through", async () => {
    const { app: server } = app(hello, {
      pageHandler: async (request) =>
        new URL(request.url).pathname === "/"
          ? new Response("<html>", {
              headers: { "content-type": "text/html", "content-security-policy": "default-src 'self'" },
            })
          : undefined,
    });
    const page = await server.fetch(new Request("http://127.0.0.1/"));
    expect(page.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect((await server.fetch(new Request("http://127.0.0.1/nope"))).status).toBe(404);
    expect((await server.fetch(new Request("http://127.0.0.1/v1/nope"))).status).toBe(404);
  });
});
