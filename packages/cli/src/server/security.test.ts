import { describe, expect, it } from "vitest";
import { createServeApp, type ServeAppOptions } from "./createServeApp.js";
import { createBearerCheck, isAllowedHost } from "./requestGuards.js";
import { scriptedBackend } from "./scriptedBackend.test-helper.js";

function server(options: Partial<ServeAppOptions> = {}) {
  const backend = scriptedBackend([{ text: "ok" }, { finish: "stop" }]);
  return { app: createServeApp({ backend, ...options }), backend };
}

const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] });
function post(
  headers: Record<string, string> = {},
  content: BodyInit = body,
  host = "127.0.0.1:8080",
): Request {
  return new Request(`http://${host}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", host, ...headers },
    body: content,
  });
}

describe("serve security rules", () => {
  it("refuses a Host that is not loopback, the bound address or an allowed host (DNS rebinding)", async () => {
    const { app } = server({ allowedHosts: ["llm.lan"] });
    const rebinding = await app.fetch(new Request("http://attacker.example:8080/health"));
    expect(rebinding.status).toBe(403);
    expect(((await rebinding.json()) as { error: { code: string } }).error.code).toBe("host_not_allowed");
    expect((await app.fetch(new Request("http://localhost:8080/health"))).status).toBe(200);
    expect((await app.fetch(new Request("http://[::1]:8080/health"))).status).toBe(200);
    expect((await app.fetch(new Request("http://llm.lan:8080/health"))).status).toBe(200);
    expect(isAllowedHost("10.0.0.5:8080", [], "10.0.0.5")).toBe(true);
    expect(isAllowedHost("10.0.0.5:8080", [], "0.0.0.0")).toBe(false);
    expect(isAllowedHost(null, [])).toBe(false);
  });

  it("requires the bearer key on /v1 and /metrics when one is set, and leaves /health open", async () => {
    const { app } = server({ apiKey: "s3cret" });
    const missing = await app.fetch(post());
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    expect((await app.fetch(post({ authorization: "Bearer wrong" }))).status).toBe(401);
    expect((await app.fetch(post({ authorization: "Bearer s3cret" }))).status).toBe(200);
    expect((await app.fetch(new Request("http://127.0.0.1/metrics"))).status).toBe(401);
    expect((await app.fetch(new Request("http://127.0.0.1/v1/models"))).status).toBe(401);
    expect((await app.fetch(new Request("http://127.0.0.1/health"))).status).toBe(200);
    const check = createBearerCheck("k");
    expect([check("Bearer k"), check("bearer k"), check("k"), check("Bearer kk"), check(null)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it("keeps CORS closed unless an origin is allowed, and never allows credentials", async () => {
    const closed = server().app;
    const plain = await closed.fetch(post({ origin: "http://evil.example" }));
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = new Request("http://127.0.0.1/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect((await closed.fetch(preflight)).status).toBe(403);
    const open = server({ corsOrigins: ["http://app.example"] }).app;
    const allowed = await open.fetch(
      new Request("http://127.0.0.1/v1/chat/completions", {
        method: "OPTIONS",
        headers: { origin: "http://app.example" },
      }),
    );
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();
    const other = await open.fetch(post({ origin: "http://evil.example" }));
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 413 to a body over --max-body, by Content-Length or by counting", async () => {
    const { app, backend } = server({ maxBodyBytes: 100 });
    const big = JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(200) }] });
    expect((await app.fetch(post({}, big))).status).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const noLength = new Request("http://127.0.0.1/v1/chat/completions", {
      method: "POST",
      body: streamed,
      duplex: "half",
    } as RequestInit);
    expect((await app.fetch(noLength)).status).toBe(413);
    expect(backend.requests).toHaveLength(0);
  });

  it("caps max_tokens, and gives the cap to requests without one", async () => {
    const { app, backend } = server({ maxTokensCap: 50 });
    const ask = (extra: object) =>
      app.fetch(
        post({}, JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }], ...extra })),
      );
    await ask({ max_tokens: 5000 });
    await ask({});
    await ask({ max_tokens: 10 });
    expect(backend.requests.map((r) => r.maxTokens)).toEqual([50, 50, 10]);
  });

  it("validates messages and parameters with a 400 naming the field", async () => {
    const { app, backend } = server();
    const cases: [unknown, string | null][] = [
      ["{not json", null],
      [{ model: "m", messages: [] }, "messages"],
      [{ model: "m", messages: [{ role: "hacker", content: "x" }] }, "messages[0].role"],
      [{ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
      [{ model: "m", messages: [{ role: "user", content: "x" }], temperature: 9 }, "temperature"],
      [{ model: "m", messages: [{ role: "user", content: "x" }], max_tokens: -1 }, "max_tokens"],
      [{ model: "m", messages: [{ role: "user", content: "x" }], n: 3 }, "n"],
    ];
    for (const [content, param] of cases) {
      const response = await app.fetch(
        post({}, typeof content === "string" ? content : JSON.stringify(content)),
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string | null } }).error.param).toBe(param);
    }
    expect(backend.requests).toHaveLength(0);
  });

  it("is no open proxy: URL-like fields in a request never reach the backend", async () => {
    const { app, backend } = server();
    await app.fetch(
      post(
        {},
        JSON.stringify({
          model: "m",
          messages: [{ role: "user", content: "Hi" }],
          base_url: "http://169.254.169.254/",
          api_base: "http://internal/",
          tools: [{ type: "function", function: { name: "f" } }],
        }),
      ),
    );
    expect(Object.keys(backend.requests[0]?.extra ?? {})).toEqual(["tools"]);
  });
});
