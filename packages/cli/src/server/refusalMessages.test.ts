import { describe, expect, it } from "vitest";
import { createServeApp, type ServeAppOptions } from "./createServeApp.js";
import { scriptedBackend } from "./scriptedBackend.test-helper.js";

function app(options: Partial<ServeAppOptions> = {}) {
  return createServeApp({ backend: scriptedBackend([{ text: "ok" }, { finish: "stop" }]), ...options });
}

async function messageOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { message: string } }).error.message;
}

const big = JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(200) }] });
const requests = {
  host: () => new Request("http://attacker.example:8080/health"),
  origin: () =>
    new Request("http://127.0.0.1/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin: "http://evil.example" },
    }),
  body: () =>
    new Request("http://127.0.0.1/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    }),
};

describe("the server's refusals name the setting that lets the request through", () => {
  it("by its option name by default", async () => {
    const server = app({ maxBodyBytes: 100 });
    expect(await messageOf(await server.fetch(requests.host()))).toBe(
      "This Host is not allowed; start the server with NAME in allowedHosts to accept it",
    );
    expect(await messageOf(await server.fetch(requests.origin()))).toBe(
      "This origin is not allowed (see corsOrigins)",
    );
    expect(await messageOf(await server.fetch(requests.body()))).toBe(
      "The request body is larger than 100 bytes (see maxBodyBytes)",
    );
  });

  it("in the words the caller gives (serve: its flags)", async () => {
    const server = app({
      maxBodyBytes: 100,
      settingNames: {
        allowedHosts: "--allowed-host NAME",
        corsOrigins: "--cors-origin",
        maxBodyBytes: "--max-body",
      },
    });
    expect(await messageOf(await server.fetch(requests.host()))).toMatch(
      /start the server with --allowed-host NAME/,
    );
    expect(await messageOf(await server.fetch(requests.origin()))).toMatch(/\(see --cors-origin\)$/);
    expect(await messageOf(await server.fetch(requests.body()))).toMatch(/\(see --max-body\)$/);
  });
});
