import { mkdtempSync } from "node:fs";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, ensureBuilt, runCli, startCli } from "../cli/cliProcess.js";

const storiesModel = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const startLine = /^llmstream serve: (http:\/\/127\.0\.0\.1:\d+\/v1) \((.*)\)\n$/;
let mock: MockServer;

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer();
});
afterAll(() => mock.close());

async function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ cli: CliProcess; baseURL: string }> {
  const cli = startCli(["serve", "--port", "0", ...args], { env });
  const line = await cli.waitForStdout((out) => out.includes("\n"), 30_000);
  const baseURL = startLine.exec(line)?.[1];
  if (baseURL === undefined)
    throw new Error(`Unexpected start line: ${JSON.stringify(line)}; stderr: ${cli.stderr()}`);
  return { cli, baseURL };
}

/** The request log under `home`, as `llmstream logs list --json` prints it. */
async function loggedRecords(home: string): Promise<Record<string, unknown>[]> {
  const logged = await runCli(["logs", "list", "--json"], { env: { LLMSTREAM_HOME: home } });
  return logged.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const chatBody = (extra: object = {}) =>
  JSON.stringify({
    model: "stories260K",
    messages: [{ role: "user", content: "Once upon a time" }],
    ...extra,
  });

describe("llmstream serve (process)", () => {
  it("prints exactly one stdout line with the base URL, serves the engine, and exits 0 on SIGTERM", async () => {
    const home = mkdtempSync(join(tmpdir(), "llmstream-serve-"));
    const { cli, baseURL } = await serve(["--model-file", storiesModel, "--parallel", "2"], {
      LLMSTREAM_HOME: home,
    });
    expect(cli.stdout()).toMatch(/\(engine: stories260K\.gguf, 2 slots\)\n$/);
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: "POST",
      body: chatBody({ stream: true, max_tokens: 8 }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/data: \[DONE\]\n\n$/);
    cli.child.kill("SIGTERM");
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout().split("\n")).toHaveLength(2);
    expect(cli.stderr()).toMatch(/chat 200 ok/);
    // Written once per request into the request log, labelled as served.
    const records = await loggedRecords(home);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: "serve", host: "engine", completionTokens: 8 });
  }, 60_000);

  it("on SIGTERM lets a stream run for --grace, then ends it with an in-band error, and exits 0", async () => {
    const home = mkdtempSync(join(tmpdir(), "llmstream-serve-"));
    const { cli, baseURL } = await serve(["--upstream", `slow=${mock.url}/s/slow/v1`, "--grace", "0.3"], {
      LLMSTREAM_HOME: home,
    });
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: "POST",
      body: chatBody({ stream: true, model: "m" }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const signalled = performance.now();
    cli.child.kill("SIGTERM");
    const parts: string[] = [];
    const decoder = new TextDecoder();
    for (let step = await reader.read(); !step.done; step = await reader.read())
      parts.push(decoder.decode(step.value));
    const tail = parts.join("");
    expect(performance.now() - signalled).toBeGreaterThan(250);
    expect(tail).toMatch(/data: \{"error":\{"message":"The server is shutting down/);
    expect(tail).not.toMatch(/\[DONE\]/);
    expect((await cli.exited).code).toBe(0);
    // The request log names the upstream that answered by its --upstream name, beside its host:port.
    const records = await loggedRecords(home);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: "serve", upstream: "slow", host: new URL(mock.url).host });
    const shown = await runCli(["logs", "show", String(records[0]?.id)], { env: { LLMSTREAM_HOME: home } });
    expect(shown.stdout).toMatch(/upstream:\s+slow\n/);
  }, 30_000);

  it("relays a responses+URL upstream, and --upstream-idle-timeout ends a stalled one with an in-band error", async () => {
    const ok = await serve(["--upstream", `up=responses+${mock.url}/s/ok/v1`, "--no-log"]);
    const health = (await (await fetch(`${ok.baseURL.replace(/\/v1$/, "")}/health`)).json()) as {
      upstreams: { name: string; protocol: string }[];
    };
    expect(health.upstreams).toMatchObject([{ name: "up", protocol: "responses" }]);
    const before = mock.requests.length;
    const answer = await fetch(`${ok.baseURL}/chat/completions`, {
      method: "POST",
      body: chatBody({ stream: true, model: "m", stream_options: { include_usage: true } }),
    });
    const text = await answer.text();
    expect(mock.requests[before]?.path).toBe("/s/ok/v1/responses");
    expect(text).toMatch(/"usage":\{"prompt_tokens":\d+,"completion_tokens":20,/);
    expect(text).toMatch(/data: \[DONE\]\n\n$/);
    ok.cli.child.kill("SIGTERM");
    expect((await ok.cli.exited).code).toBe(0);

    const stalled = await serve([
      "--upstream",
      `responses+${mock.url}/s/stall/v1`,
      "--upstream-idle-timeout",
      "0.3",
      "--no-log",
    ]);
    const started = performance.now();
    const response = await fetch(`${stalled.baseURL}/responses`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, input: "Hi" }),
    });
    const events = await response.text();
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(events).toMatch(
      /event: response\.failed\ndata: .*"code":"upstream_timeout","message":"[^"]*300 ms/,
    );
    // The advice names serve's flag, not the library option behind it.
    expect(events).toMatch(/raise --upstream-idle-timeout/);
    expect(events).not.toMatch(/timeouts\./);
    expect(events).not.toMatch(/response\.completed/);
    stalled.cli.child.kill("SIGTERM");
    expect((await stalled.cli.exited).code).toBe(0);
  }, 60_000);

  it("--upstream-first-token-timeout bounds an upstream that accepts and never answers: an HTTP error, no hang", async () => {
    // TCP accepts, no status line ever: what a wedged server or a blackholing proxy looks like.
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const served = await serve([
      "--upstream",
      `http://127.0.0.1:${port}/v1`,
      "--upstream-first-token-timeout",
      "0.5",
      "--no-log",
    ]);
    try {
      const started = performance.now();
      const response = await fetch(`${served.baseURL}/chat/completions`, {
        method: "POST",
        body: chatBody({ stream: true, model: "m" }),
      });
      const body = await response.text();
      const elapsed = performance.now() - started;
      expect(response.status).toBe(504);
      expect(body).toMatch(/"code":"upstream_timeout"/);
      expect(body).toMatch(/500 ms/);
      expect(body).toMatch(/raise --upstream-first-token-timeout/);
      expect(body).not.toMatch(/timeouts\./);
      expect(elapsed).toBeGreaterThan(450);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      served.cli.child.kill("SIGTERM");
      await served.cli.exited;
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 30_000);

  it("requires LLMSTREAM_API_KEY when set, and warns loudly on 0.0.0.0 without a key", async () => {
    const keyed = await serve(["--upstream", `${mock.url}/v1`], { LLMSTREAM_API_KEY: "k3y" });
    const denied = await fetch(`${keyed.baseURL}/models`);
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${keyed.baseURL}/models`, { headers: { authorization: "Bearer k3y" } });
    expect(allowed.status).toBe(200);
    keyed.cli.child.kill("SIGTERM");
    await keyed.cli.exited;
    const open = startCli(["serve", "--port", "0", "--host", "0.0.0.0", "--upstream", `${mock.url}/v1`]);
    await open.waitForStdout((out) => out.includes("\n"), 30_000);
    expect(open.stderr()).toMatch(/WARNING: listening on every network interface WITHOUT an API key/);
    open.child.kill("SIGTERM");
    expect((await open.exited).code).toBe(0);
  }, 60_000);

  it("exits 2 on usage errors and 1 on a bad model file", async () => {
    for (const args of [
      ["--port", "http"],
      ["--upstream", "ftp://example"],
      ["--model-file", storiesModel, "--upstream", "http://127.0.0.1:1/v1"],
      ["--parallel", "0"],
      ["--upstream", "http://127.0.0.1:1/v1", "--upstream-connect-timeout", "0"],
    ]) {
      const run = await runCli(["serve", ...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
    }
    expect((await runCli(["serve", "--upstream-connect-timeout", "x"])).stderr).toMatch(
      /--upstream-connect-timeout must be a number of at least 0\.001, got "x"/,
    );
    const missing = await runCli(["serve", "--port", "0", "--model-file", "/nonexistent/model.gguf"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nonexistent\/model\.gguf/);
  }, 60_000);
});
