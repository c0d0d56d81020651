import { request as httpRequest } from "node:http";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directRoutes } from "./AppRequest.js";
import { createRelayBackend } from "./createRelayBackend.js";
import { createServeApp, type ServeApp, type ServeAppOptions } from "./createServeApp.js";
import { type ScriptStep, scriptedBackend } from "./scriptedBackend.test-helper.js";
import { type NodeServer, serveNode } from "./serveNode.js";

const opened: { app: ServeApp; server: NodeServer }[] = [];
let mock: MockServer;

beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(async () => {
  for (const { app, server } of opened) {
    await server.close();
    await app.shutdown({ graceMs: 0 });
  }
  await mock.close();
});

/**
 * The same app served twice: straight (generation requests take the direct route) and behind a
 * `fetch` wrapper (everything goes through `fetch(Request)`, as before the direct route existed).
 */
async function both(app: ServeApp): Promise<{ direct: string; web: string }> {
  const direct = await serveNode(app, { port: 0 });
  const web = await serveNode({ ...app, fetch: (request: Request) => app.fetch(request) }, { port: 0 });
  opened.push({ app, server: direct }, { app, server: web });
  return { direct: direct.url, web: web.url };
}

const scripted = (script: ScriptStep[], options: Partial<ServeAppOptions> = {}) =>
  createServeApp({ backend: scriptedBackend(script), ...options });

const hello: ScriptStep[] = [{ text: "Hel" }, { text: "lo" }, { finish: "stop" }];
/** Headers that say what the answer is (date, length and framing are the transport's). */
const compared = [
  "content-type",
  "cache-control",
  "x-accel-buffering",
  "retry-after",
  "www-authenticate",
  "access-control-allow-origin",
  "vary",
];

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

interface Ask {
  headers: Record<string, string>;
  body: string;
}

/** node:http rather than fetch, which would not send a Host header of our choosing. */
function ask(base: string, path: string, init: Ask): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "POST", headers: init.headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (part: string) => {
        text += part;
      });
      res.on("end", () => {
        const header = (name: string) => {
          const value = res.headers[name];
          return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
        };
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(compared.map((name) => [name, header(name)])),
          body: text
            .replace(/(chatcmpl|cmpl|resp)-[0-9a-f]{32}/g, "$1-ID")
            .replace(/"(created|created_at|completed_at)":\d+/g, '"$1":0')
            // How many pings fit in a wait is the scheduler's business.
            .replace(/(: ping\n\n)+/g, ": ping\n\n"),
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error("No answer within 5 s")));
    req.on("error", reject);
    req.end(init.body);
  });
}

const post = (body: unknown, headers: Record<string, string> = {}): Ask => ({
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const chat = (extra: Record<string, unknown> = {}) => ({
  model: "m",
  messages: [{ role: "user", content: "Hi" }],
  ...extra,
});

describe("serveNode's direct route answers exactly as fetch(Request) does", () => {
  it("is registered for the app's own fetch only, so a wrapped fetch is never bypassed", () => {
    const app = scripted(hello);
    expect(directRoutes.get(app.fetch)).toBeTypeOf("function");
    expect(directRoutes.get({ ...app, fetch: (r: Request) => app.fetch(r) }.fetch)).toBeUndefined();
  });

  const cases: [string, () => ServeApp, string, Ask][] = [
    ["a streamed chat answer", () => scripted(hello), "/v1/chat/completions", post(chat({ stream: true }))],
    [
      "a streamed answer with include_usage",
      () => scripted(hello),
      "/v1/chat/completions",
      post(chat({ stream: true, stream_options: { include_usage: true } })),
    ],
    ["a whole chat answer", () => scripted(hello), "/v1/chat/completions", post(chat())],
    [
      "a streamed completion",
      () => scripted(hello),
      "/v1/completions",
      post({ model: "m", prompt: "Hi", stream: true }),
    ],
    [
      "a streamed Responses answer",
      () => scripted(hello),
      "/v1/responses",
      post({ model: "m", input: "Hi", stream: true }),
    ],
    ["bad JSON (400)", () => scripted(hello), "/v1/chat/completions", post("{nope")],
    ["an empty body (400)", () => scripted(hello), "/v1/chat/completions", post("")],
    ["an invalid message (400)", () => scripted(hello), "/v1/chat/completions", post({ model: "m" })],
    [
      "a body over the limit (413)",
      () => scripted(hello, { maxBodyBytes: 64 }),
      "/v1/chat/completions",
      post(chat({ padding: "x".repeat(200) })),
    ],
    [
      "a missing key (401)",
      () => scripted(hello, { apiKey: "k" }),
      "/v1/chat/completions",
      post(chat({ stream: true })),
    ],
    [
      "the right key",
      () => scripted(hello, { apiKey: "k" }),
      "/v1/chat/completions",
      post(chat({ stream: true }), { authorization: "Bearer k" }),
    ],
    [
      "an allowed CORS origin",
      () => scripted(hello, { corsOrigins: ["http://ui.test"] }),
      "/v1/chat/completions",
      post(chat({ stream: true }), { origin: "http://ui.test" }),
    ],
    [
      "a refused Host (403)",
      () => scripted(hello),
      "/v1/chat/completions",
      post(chat({ stream: true }), { host: "attacker.example" }),
    ],
    [
      "a busy upstream before the first token (429, Retry-After)",
      () => scripted([{ fail: "http-429" }]),
      "/v1/chat/completions",
      post(chat({ stream: true })),
    ],
    [
      "a failure after the first token (in-band, no [DONE])",
      () => scripted([{ text: "Hel" }, { fail: "server" }]),
      "/v1/chat/completions",
      post(chat({ stream: true })),
    ],
    [
      "a stream cut without a finish reason",
      () => scripted([{ text: "Hel" }]),
      "/v1/chat/completions",
      post(chat({ stream: true })),
    ],
    [
      "a slow first token (held status, then : ping)",
      () => scripted([{ delayMs: 120 }, ...hello], { statusHoldMs: 20, pingIntervalMs: 30 }),
      "/v1/chat/completions",
      post(chat({ stream: true })),
    ],
    [
      "a path with a query (served through fetch)",
      () => scripted(hello),
      "/v1/chat/completions?x=1",
      post(chat({ stream: true })),
    ],
    ["an unknown POST route (404)", () => scripted(hello), "/v1/nothing", post(chat())],
  ];
  for (const [name, make, path, init] of cases) {
    it(name, async () => {
      const { direct, web } = await both(make());
      const viaDirect = await ask(direct, path, init);
      const viaWeb = await ask(web, path, init);
      expect(viaDirect).toEqual(viaWeb);
    });
  }

  it("the slow first token case really pings, and a refused Host really is 403", async () => {
    const slow = await both(scripted([{ delayMs: 120 }, ...hello], { statusHoldMs: 20, pingIntervalMs: 30 }));
    expect((await ask(slow.direct, "/v1/chat/completions", post(chat({ stream: true })))).body).toMatch(
      /^: ping\n\n/,
    );
    const plain = await both(scripted(hello));
    const refused = await ask(
      plain.direct,
      "/v1/chat/completions",
      post(chat({ stream: true }), { host: "attacker.example" }),
    );
    expect(refused.status).toBe(403);
  });
});

describe("serveNode and requests a web Request cannot hold", () => {
  it("answers a Host that is not a valid URL host with a 400 in the OpenAI error shape", async () => {
    const plain = await both(scripted(hello));
    for (const base of [plain.direct, plain.web]) {
      const answer = await ask(base, "/v1/chat/completions", post(chat(), { host: "a b" }));
      expect(answer.status).toBe(400);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(answer.body)).toEqual({
        error: { message: "Bad request URL", type: "invalid_request_error", param: null, code: null },
      });
    }
  });
});

describe("the direct route with the relay", () => {
  it("closes the upstream within 100 ms of the client going away, and in-flight returns to 0", async () => {
    const backend = createRelayBackend({
      upstreams: [{ name: "u", url: `${mock.url}/s/slow/v1`, protocol: "openai" }],
    });
    const app = createServeApp({ backend });
    const server = await serveNode(app, { port: 0 });
    opened.push({ app, server });
    // The moment the adapter sees the client go is its socket closing.
    let seenGoneAt = Number.NaN;
    server.server.on("connection", (socket) => {
      socket.once("close", () => {
        seenGoneAt = performance.now();
      });
    });
    const before = mock.requests.length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-mock-interval-ms": "50" },
      body: JSON.stringify(chat({ stream: true })),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(backend.inFlight()).toEqual({ u: 1 });
    controller.abort();
    const record = await mock.waitForClose(before, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
    expect(performance.now() - seenGoneAt).toBeLessThan(100);
    const deadline = performance.now() + 1000;
    while ((backend.inFlight().u !== 0 || app.activeRequests() !== 0) && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(backend.inFlight()).toEqual({ u: 0 });
    expect(app.activeRequests()).toBe(0);
  });
});
