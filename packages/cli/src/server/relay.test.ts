// biome-ignore-all lint/suspicious/noExplicitAny: the tests read loosely typed wire JSON

import { createMockServer, type MockServer } from "@llmstream/mock";
import { streamChat } from "llmstream";
import { nodeTransport } from "llmstream/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelayBackend, type RelayBackendOptions } from "./createRelayBackend.js";
import { createServeApp, type ServeApp } from "./createServeApp.js";
import type { UpstreamConfig } from "./parseUpstream.js";
import { type NodeServer, serveNode } from "./serveNode.js";

let mock: MockServer;
const opened: { app: ServeApp; server?: NodeServer }[] = [];

beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(async () => {
  for (const { app, server } of opened) {
    await server?.close();
    await app.shutdown({ graceMs: 0 });
  }
  await mock.close();
});

function relay(upstreams: UpstreamConfig[], options: Partial<RelayBackendOptions> = {}): ServeApp {
  const app = createServeApp({
    backend: createRelayBackend({ upstreams, timeouts: { idleMs: 300, firstTokenMs: 2000 }, ...options }),
  });
  opened.push({ app });
  return app;
}

const upstream = (scenario: string, name = scenario): UpstreamConfig => ({
  name,
  url: `${mock.url}/s/${scenario}/v1`,
  protocol: "openai",
});

function chatRequest(extra: Record<string, unknown> = {}): Request {
  return new Request("http://127.0.0.1/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "mock",
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
      ...extra,
    }),
  });
}

/** What a client saw: the status, and whether the stream ended cleanly with [DONE]. */
async function outcome(app: ServeApp, extra: Record<string, unknown> = {}) {
  const response = await app.fetch(chatRequest(extra));
  const text = await response.text();
  return {
    status: response.status,
    text,
    cleanEnd: response.status === 200 && text.endsWith("data: [DONE]\n\n"),
    inBandError: /^data: \{"error":/m.test(text),
  };
}

describe("relay in front of the mock: every fault reaches the client as an error", () => {
  const faults: [string, number][] = [
    ["truncated", 200],
    ["reset", 200],
    ["error-object", 200],
    ["event-error", 200],
    ["stall", 200],
    ["invalid-json", 200],
    ["http-500-json", 502],
    ["http-502-html", 502],
    ["http-404-ollama", 404],
    ["wrong-content-type", 502],
    // A 16 MiB line after the role chunk: over the core's line limit before any content token.
    ["huge-line", 502],
  ];
  for (const [scenario, status] of faults) {
    it(`${scenario}: ${status === 200 ? "in-band error after the first token" : `HTTP ${status}`}, never a clean end`, async () => {
      const result = await outcome(relay([upstream(scenario)]));
      expect(result.cleanEnd).toBe(false);
      expect(result.status).toBe(status);
      if (status === 200) expect(result.inBandError).toBe(true);
      else expect(JSON.parse(result.text).error.message).toEqual(expect.any(String));
    });
  }

  it("huge-line: the relay stops at its line limit, says so, and closes the upstream request at once", async () => {
    const before = mock.requests.length;
    const started = performance.now();
    const result = await outcome(relay([upstream("huge-line")]));
    expect(result.status).toBe(502);
    expect(JSON.parse(result.text).error.message).toMatch(/line/i);
    // The mock would keep the line open for 10 s more; the relay hung up instead.
    const record = await mock.waitForClose(before, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("no-done (finish reason sent, then no [DONE]): the answer was complete, so the client gets a clean end", async () => {
    // Only a missing finish reason is a cut; the core accepts a finished answer whose [DONE] is lost.
    const result = await outcome(relay([upstream("no-done")]));
    expect(result.cleanEnd).toBe(true);
    expect(result.text).toMatch(/"finish_reason":"stop"/);
  });

  it("passes a clean answer through, and llmstream's own client reads it as the mock's answer", async () => {
    const app = relay([upstream("ok")]);
    const server = await serveNode(app, { port: 0 });
    opened.push({ app, server });
    const direct = await streamChat({
      baseURL: `${mock.url}/v1`,
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
    }).result;
    const relayed = await streamChat({
      baseURL: `${server.url}/v1`,
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
    }).result;
    expect(relayed.text).toBe(direct.text);
    expect(relayed.usage).toMatchObject({
      completionTokens: direct.usage.completionTokens,
      source: "server",
    });
  });

  it("always asks the upstream for usage, and strips it when the client did not ask", async () => {
    const app = relay([upstream("ok", "usage-check")]);
    const before = mock.requests.length;
    const result = await outcome(app);
    const sent = mock.requests[before]?.body as { stream_options?: unknown };
    expect(sent.stream_options).toEqual({ include_usage: true });
    expect(result.cleanEnd).toBe(true);
    expect(result.text).not.toMatch(/"usage"/);
    const asked = await outcome(app, { stream_options: { include_usage: true } });
    expect(asked.text).toMatch(/"choices":\[\],"usage":\{"prompt_tokens":\d+/);
  });

  it("translates an Ollama native upstream (thinking included) into OpenAI chunks", async () => {
    const app = relay([{ name: "ollama", url: `${mock.url}/s/ollama-thinking`, protocol: "ollama" }]);
    const result = await outcome(app);
    expect(result.cleanEnd).toBe(true);
    expect(result.text).toMatch(/"reasoning_content":/);
    expect(result.text).toMatch(/"finish_reason":"stop"/);
  });

  it("fails over before the first token and raises and lowers each in-flight count exactly once", async () => {
    const backend = createRelayBackend({
      upstreams: [
        upstream("http-500-json", "bad"),
        upstream("reset-before-headers-once", "flaky"),
        upstream("ok", "good"),
      ],
      random: () => 0.99,
    });
    const app = createServeApp({ backend });
    opened.push({ app });
    for (let i = 0; i < 6; i++) expect((await outcome(app)).cleanEnd).toBe(true);
    expect(backend.inFlight()).toEqual({ bad: 0, flaky: 0, good: 0 });
    const health = backend.health() as { upstreams: { name: string; healthy: boolean; failures: number }[] };
    expect(health.upstreams.find((u) => u.name === "bad")).toMatchObject({ healthy: false });
  });

  it("llmstream's client behind the relay: a cut says what happened (serverCode), llama.cpp timings pass through", async () => {
    const app = relay([upstream("llamacpp", "u")]);
    const server = await serveNode(app, { port: 0 });
    opened.push({ app, server });
    const direct = await streamChat({
      baseURL: `${mock.url}/s/llamacpp/v1`,
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
    }).result;
    expect(direct.serverTimings?.promptMs).toEqual(expect.any(Number));
    const relayed = await streamChat({
      baseURL: `${server.url}/v1`,
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
    }).result;
    expect(relayed.serverTimings).toEqual(direct.serverTimings);
    for (const [scenario, code] of [
      ["truncated", "upstream_truncated"],
      ["reset", "upstream_unreachable"],
    ] as const) {
      const cut = relay([upstream(scenario)]);
      const cutServer = await serveNode(cut, { port: 0 });
      opened.push({ app: cut, server: cutServer });
      const error = await streamChat({
        baseURL: `${cutServer.url}/v1`,
        model: "m",
        messages: [{ role: "user", content: "Hi" }],
        retry: 0,
      }).result.then(
        () => undefined,
        (e: unknown) => e as { code: string; serverCode?: string; partial?: { text: string } },
      );
      expect(error).toMatchObject({ code: "server", serverCode: code });
      expect(error?.partial?.text.length).toBeGreaterThan(0);
    }
  });

  it("never fails over after the first token: the cut reaches the client", async () => {
    const backend = createRelayBackend({
      upstreams: [upstream("truncated", "cut"), upstream("ok", "good")],
      // Keeps the first of the tied upstreams, so the one that cuts is tried first.
      random: () => 0.99,
    });
    const app = createServeApp({ backend });
    opened.push({ app });
    const result = await outcome(app);
    expect(result.inBandError).toBe(true);
    expect(result.text).not.toMatch(/everyone/);
  });

  it("counts in-flight for the whole stream and shows it in /health and /metrics", async () => {
    const backend = createRelayBackend({ upstreams: [upstream("slow", "slow")] });
    const app = createServeApp({ backend });
    opened.push({ app });
    const response = await app.fetch(
      new Request("http://127.0.0.1/v1/chat/completions", {
        method: "POST",
        headers: { "x-mock-interval-ms": "20" },
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] }),
      }),
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const health = (await (await app.fetch(new Request("http://127.0.0.1/health"))).json()) as any;
    expect(health.upstreams[0].inFlight).toBe(1);
    const metrics = await (await app.fetch(new Request("http://127.0.0.1/metrics"))).text();
    expect(metrics).toMatch(/llmstream_serve_in_flight\{upstream="slow"\} 1/);
    while (!(await reader.read()).done) {}
    expect(backend.inFlight()).toEqual({ slow: 0 });
  });
});

describe("relay: a client that disconnects closes the upstream request", () => {
  for (const when of ["mid-stream", "before the first token"] as const) {
    it(`within 100 ms, ${when}`, async () => {
      const backend = createRelayBackend({
        upstreams: [upstream(when === "mid-stream" ? "slow" : "slow-first-token", "u")],
        // The relay does not pass the client's headers on: the pacing goes upstream here. Slow
        // enough that the upstream cannot end by itself before the relay closes it, however loaded
        // the test machine.
        transport: (request) =>
          nodeTransport({
            ...request,
            headers: { ...request.headers, "x-mock-interval-ms": "1000", "x-mock-delay-ms": "60000" },
          }),
      });
      const app = createServeApp({ backend, statusHoldMs: 10, pingIntervalMs: 50 });
      // The moment the server saw the client go: the adapter aborts request.signal on socket close.
      let seenGoneAt = Number.NaN;
      const watched = {
        ...app,
        fetch: (request: Request) => {
          request.signal.addEventListener("abort", () => {
            seenGoneAt = performance.now();
          });
          return app.fetch(request);
        },
      };
      const server = await serveNode(watched, { port: 0 });
      opened.push({ app, server });
      const before = mock.requests.length;
      const controller = new AbortController();
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] }),
        signal: controller.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await mock.waitForRequest(before);
      const abortedAt = performance.now();
      controller.abort();
      const record = await mock.waitForClose(before, { timeoutMs: 10_000 });
      // The mock stamps the upstream socket's close event on the same clock (epoch ms).
      const closedAt = (record.closedAt as number) - performance.timeOrigin;
      expect(record.clientClosedEarly).toBe(true);
      // The relay's own part: from seeing the client go to the upstream socket closing.
      expect(closedAt - seenGoneAt).toBeLessThan(100);
      // End to end it includes the kernel and this loaded test machine's scheduling; logged, loosely bounded.
      expect(closedAt - abortedAt).toBeLessThan(1000);
      while (backend.inFlight().u !== 0) await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
});
