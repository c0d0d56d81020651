import { describe, expect, it } from "vitest";
import { ensureBuilt, runCli, startCli } from "./cliProcess.js";

describe("llmstream mock", () => {
  it("serves the scenarios a client can be tried against, and stops on SIGINT", async () => {
    ensureBuilt();
    const server = startCli(["mock"]);
    const baseURL = (await server.waitForStdout((out) => out.includes("\n"))).trim();
    expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const origin = baseURL.replace(/\/v1$/, "");
    const ok = await runCli(["chat", "--base-url", baseURL, "Hi"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Hello/);
    const truncated = await runCli(["chat", "--base-url", `${origin}/s/truncated/v1`, "Hi"]);
    expect(truncated.code).toBe(6);
    server.child.kill("SIGINT");
    expect((await server.exited).code).toBe(0);
  });

  it("lists the scenarios and rejects a bad port", async () => {
    const list = await runCli(["mock", "--list"]);
    expect(list.stdout.split("\n")).toEqual(
      expect.arrayContaining(["ok", "truncated", "flood", "ollama-tools"]),
    );
    const bad = await runCli(["mock", "--port", "http"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port/);
  });
});
