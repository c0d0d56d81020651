import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER } from "./mockAnswer.js";
import { rawRequest, sseContent, sseData } from "./mockHttp.test-helper.js";

const servers: MockServer[] = [];
async function start(options?: Parameters<typeof createMockServer>[0]): Promise<MockServer> {
  const server = await createMockServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const chat = { model: "test-model", messages: [{ role: "user", content: "say hello" }], stream: true };

describe("createMockServer", () => {
  it("listens on 127.0.0.1 with an ephemeral port and a /v1 base URL", async () => {
    const mock = await start();
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.baseURL).toBe(`${mock.url}/v1`);
  });

  it("answers with the ok scenario by default, echoing the model", async () => {
    const mock = await start();
    const response = await rawRequest(`${mock.baseURL}/chat/completions`, chat);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream");
    const text = response.body.toString("utf8");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
    expect(JSON.parse(sseData(text)[0] ?? "")).toMatchObject({ model: "test-model" });
    expect(sseData(text).at(-1)).toBe("[DONE]");
    expect(mock.requests[0]?.scenario).toBe("ok");
  });

  it("records method, path, headers and the parsed body", async () => {
    const mock = await start();
    await rawRequest(`${mock.url}/s/no-usage/v1/chat/completions`, chat, { authorization: "Bearer k" });
    const record = await mock.waitForRequest(0);
    expect(record).toMatchObject({ index: 0, method: "POST", path: "/s/no-usage/v1/chat/completions" });
    expect(record.headers.authorization).toBe("Bearer k");
    expect(record.body).toEqual(chat);
    expect(record.status).toBe(200);
  });

  it("selects a named scenario by path prefix, for OpenAI and Ollama paths", async () => {
    const mock = await start();
    const openai = await rawRequest(`${mock.url}/s/truncated/v1/chat/completions`, chat);
    expect(openai.body.toString()).not.toContain("[DONE]");
    const ollama = await rawRequest(`${mock.url}/s/http-404-ollama/api/chat`, { model: "x" });
    expect(ollama.status).toBe(404);
    expect(mock.requests.map((record) => record.scenario)).toEqual(["truncated", "http-404-ollama"]);
  });

  it("selects a named scenario by the x-mock-scenario header", async () => {
    const mock = await start();
    const response = await rawRequest(`${mock.baseURL}/chat/completions`, chat, {
      "x-mock-scenario": "http-502-html",
    });
    expect(response.status).toBe(502);
    expect(mock.requests[0]?.scenario).toBe("http-502-html");
  });

  it("answers 400 naming the known scenarios when the name is unknown", async () => {
    const mock = await start();
    const response = await rawRequest(`${mock.url}/s/nope/v1/chat/completions`, chat);
    expect(response.status).toBe(400);
    expect(response.body.toString()).toContain('Unknown mock scenario \\"nope\\"');
    expect(response.body.toString()).toContain("truncated");
  });

  it("serves enqueued scenarios in order, then falls back to the default", async () => {
    const mock = await start();
    mock.enqueue("truncated", { status: 418, steps: [{ write: "teapot" }] });
    const statuses: (number | undefined)[] = [];
    for (let index = 0; index < 3; index++) {
      statuses.push((await rawRequest(`${mock.baseURL}/chat/completions`, chat)).status);
    }
    expect(statuses).toEqual([200, 418, 200]);
    expect(mock.requests.map((record) => record.scenario)).toEqual(["truncated", "custom", "ok"]);
  });

  it("does not consume the queue for requests that name their scenario", async () => {
    const mock = await start();
    mock.enqueue("http-500-json");
    await rawRequest(`${mock.url}/s/no-usage/v1/chat/completions`, chat);
    await rawRequest(`${mock.url}/v1/models`);
    const queued = await rawRequest(`${mock.baseURL}/chat/completions`, chat);
    expect(queued.status).toBe(500);
  });

  it("accepts custom named scenarios and a custom default", async () => {
    const mock = await start({
      scenarios: { hello: { steps: [{ write: "hi" }] } },
      defaultScenario: { status: 202, steps: [] },
    });
    expect((await rawRequest(`${mock.url}/s/hello/v1/chat/completions`, chat)).body.toString()).toBe("hi");
    expect((await rawRequest(`${mock.baseURL}/chat/completions`, chat)).status).toBe(202);
  });

  it("lists a model on GET /v1/models, also behind a scenario prefix", async () => {
    const mock = await start();
    for (const url of [`${mock.baseURL}/models`, `${mock.url}/s/stall/v1/models`]) {
      const response = await rawRequest(url);
      expect(JSON.parse(response.body.toString())).toMatchObject({
        object: "list",
        data: [{ id: "mock-model" }],
      });
    }
  });

  it("answers 404 for unknown routes", async () => {
    const mock = await start();
    expect((await rawRequest(`${mock.url}/v2/whatever`, {})).status).toBe(404);
  });

  it("waitForRequest waits for a future request and times out with a clear message", async () => {
    const mock = await start();
    const waiting = mock.waitForRequest(0);
    void rawRequest(`${mock.baseURL}/chat/completions`, chat);
    expect((await waiting).index).toBe(0);
    await expect(mock.waitForRequest(5, { timeoutMs: 30 })).rejects.toThrow(
      /Timed out after 30 ms.*request #5/,
    );
  });

  it("waitForClose proves the server saw a client abort and stopped writing", async () => {
    const mock = await start();
    const controller = new AbortController();
    const response = await fetch(`${mock.url}/s/stall/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chat),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await sleep(120); // the stall's keep-alive comments keep coming while the client listens
    controller.abort();
    const record = await mock.waitForClose(0);
    expect(record.clientClosedEarly).toBe(true);
    expect(record.closedAt).toBeGreaterThanOrEqual(record.startedAt);
    const writesAtClose = record.writes;
    await sleep(150);
    expect(record.writes).toBe(writesAtClose);
  });

  it("stops a slow stream part-way when the client goes away", async () => {
    const mock = await start();
    const controller = new AbortController();
    const response = await fetch(`${mock.url}/s/slow/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chat),
      headers: { "x-mock-interval-ms": "20" },
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    controller.abort();
    const record = await mock.waitForClose(0);
    await sleep(100);
    // 20 tokens + role + finish + [DONE] would be 23 writes; an early stop leaves far fewer.
    expect(record.clientClosedEarly).toBe(true);
    expect(record.writes).toBeLessThan(10);
  });

  it("does not mark completed or server-reset responses as closed early", async () => {
    const mock = await start();
    await rawRequest(`${mock.baseURL}/chat/completions`, chat);
    const reset = await rawRequest(`${mock.url}/s/reset/v1/chat/completions`, chat);
    expect(reset.error).toBeDefined();
    const [done, destroyed] = [await mock.waitForClose(0), await mock.waitForClose(1)];
    expect(done).toMatchObject({ clientClosedEarly: false, serverDestroyed: false });
    expect(destroyed).toMatchObject({ clientClosedEarly: false, serverDestroyed: true });
  });

  it("counts http-429 per server: 429 with Retry-After, then 200", async () => {
    const first = await start();
    const url = `${first.url}/s/http-429/v1/chat/completions`;
    const limited = await rawRequest(url, chat);
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("1");
    expect((await rawRequest(url, chat)).status).toBe(200);
    const second = await start();
    expect((await rawRequest(`${second.url}/s/http-429/v1/chat/completions`, chat)).status).toBe(429);
  });

  it("answers 413 to request bodies over maxRequestBytes", async () => {
    const mock = await start({ maxRequestBytes: 1024 });
    const response = await rawRequest(`${mock.baseURL}/chat/completions`, { pad: "x".repeat(2000) });
    expect(response.status).toBe(413);
    expect(mock.requests[0]?.rawBody).toBe("");
    expect((await rawRequest(`${mock.baseURL}/chat/completions`, { pad: "x".repeat(900) })).status).toBe(200);
  });

  it("close() ends open streams, rejects waiters and leaves no TCP handles", async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap" || name === "TCPServerWrap")
        .length;
    const before = count();
    const mock = await createMockServer();
    const stalled = rawRequest(`${mock.url}/s/stall/v1/chat/completions`, chat);
    await mock.waitForRequest(0);
    const pending = mock.waitForRequest(3);
    const started = performance.now();
    await mock.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow(/closed/);
    expect((await stalled).error).toBeDefined();
    for (let tries = 0; tries < 50 && count() > before; tries++) await sleep(10);
    expect(count()).toBeLessThanOrEqual(before);
  });
});
