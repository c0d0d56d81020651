import { createMockServer, MOCK_ANSWER, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "./cliProcess.js";

let mock: MockServer;
const url = (scenario: string) => `${mock.url}/s/${scenario}/v1`;

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer();
});
afterAll(() => mock.close());

const parseLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe.concurrent("llmstream chat --protocol responses", () => {
  it("streams the answer from /v1/responses with the system prompt as instructions", async () => {
    const run = await runCli([
      "chat",
      "--protocol",
      "responses",
      "--base-url",
      url("ok"),
      "-s",
      "Be brief",
      "--max-tokens",
      "64",
      "Hello #responses-ok",
    ]);
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
    const request = mock.requests.find((record) => record.rawBody.includes("#responses-ok"));
    expect(request?.path).toBe("/s/ok/v1/responses");
    expect(request?.body).toMatchObject({
      instructions: "Be brief",
      input: [{ role: "user", content: "Hello #responses-ok" }],
      max_output_tokens: 64,
      stream: true,
    });
  });

  it("--json gives reasoning, text and a done event with server usage", async () => {
    const run = await runCli([
      "chat",
      "--protocol",
      "responses",
      "--json",
      "--base-url",
      url("reasoning"),
      "Hi",
    ]);
    expect(run.code).toBe(0);
    const events = parseLines(run.stdout);
    const joined = (type: string) =>
      events
        .filter((event) => event.type === type)
        .map((event) => event.text)
        .join("");
    expect(joined("reasoning")).toBe("The user wants a greeting.");
    expect(joined("text")).toBe(MOCK_ANSWER);
    expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "stop", usage: { source: "server" } });
  });

  it("a stream without response.completed exits 6 (truncated) with the partial text", async () => {
    const run = await runCli([
      "chat",
      "--protocol",
      "responses",
      "--json",
      "--base-url",
      url("truncated"),
      "Hi",
    ]);
    expect(run.code).toBe(6);
    const events = parseLines(run.stdout);
    expect(events.at(-1)).toMatchObject({ type: "error", code: "truncated" });
    expect(
      events
        .filter((event) => event.type === "text")
        .map((event) => event.text)
        .join(""),
    ).toBe(MOCK_ANSWER_TOKENS.slice(0, 5).join(""));
  });

  it("response.failed exits 6 as a server error", async () => {
    const run = await runCli([
      "chat",
      "--protocol",
      "responses",
      "--json",
      "--base-url",
      url("failed"),
      "Hi",
    ]);
    expect(run.code).toBe(6);
    expect(parseLines(run.stdout).at(-1)).toMatchObject({ type: "error", code: "server" });
  });

  it("names the protocol in --help and rejects an unknown one", async () => {
    const help = await runCli(["chat", "--help"]);
    expect(help.stdout).toMatch(/--protocol[\s\S]*"responses"/);
    expect(help.stdout).toContain("--protocol responses");
    const bad = await runCli(["chat", "--protocol", "grpc", "Hi"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"openai", "ollama" or "responses"/);
  });
});
