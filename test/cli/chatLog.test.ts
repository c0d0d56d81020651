import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLogDatabase } from "../../src/log/openLogDatabase.js";
import { getRequest, listRequests } from "../../src/log/queryLogs.js";
import { createMockServer, MOCK_ANSWER, type MockServer } from "../../src/mock/index.js";
import { ensureBuilt, runCli, startCli } from "./cliProcess.js";

// Every chat request is recorded in the SQLite request log under LLMSTREAM_HOME (and a JSONL file on request).
let mock: MockServer;
const home = () => mkdtempSync(join(tmpdir(), "llmstream-chat-log-"));

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer();
});
afterAll(() => mock.close());

function records(folder: string) {
  const db = openLogDatabase(join(folder, "logs.db"));
  try {
    return listRequests(db, { limit: 10 }).map((record) => getRequest(db, record.id) ?? record);
  } finally {
    db.close();
  }
}

describe.concurrent("llmstream chat: request log", () => {
  it("records a successful request with its counts and timings", async () => {
    const folder = home();
    const run = await runCli(["chat", "--base-url", `${mock.baseURL}`, "Hello"], {
      env: { LLMSTREAM_HOME: folder },
    });
    expect(run.code).toBe(0);
    const [record, ...rest] = records(folder);
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({
      source: "chat",
      protocol: "openai",
      model: "llama3",
      finishReason: "stop",
      completionTokens: 20,
      tokenSource: "server",
    });
    expect(record?.ttftMs).toBeGreaterThan(0);
    expect(record?.content?.messages).toEqual([{ role: "user", content: "Hello" }]);
    expect(record?.content?.text).toBe(MOCK_ANSWER);
  });

  it("records a failure with its error code, and the JSONL file gets the same request with content", async () => {
    const folder = home();
    const file = join(folder, "requests.jsonl");
    const run = await runCli(
      ["chat", "--base-url", `${mock.url}/s/truncated/v1`, "--log-file", file, "Hi log"],
      {
        env: { LLMSTREAM_HOME: folder },
      },
    );
    expect(run.code).toBe(6);
    expect(records(folder)[0]).toMatchObject({ finishReason: "error", errorCode: "truncated" });
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "") as {
      errorCode: string;
      content?: { messages: unknown[]; text: string };
    };
    expect(line.errorCode).toBe("truncated");
    expect(line.content?.messages).toEqual([{ role: "user", content: "Hi log" }]);
    expect(MOCK_ANSWER.startsWith(line.content?.text ?? "x")).toBe(true);
  });

  it("--no-log-content keeps the figures but not the prompt and answer", async () => {
    const folder = home();
    const file = join(folder, "requests.jsonl");
    const run = await runCli(
      ["chat", "--base-url", mock.baseURL, "--no-log-content", "--log-file", file, "Secret"],
      {
        env: { LLMSTREAM_HOME: folder },
      },
    );
    expect(run.code).toBe(0);
    const line = JSON.parse(readFileSync(file, "utf8")) as { completionTokens: number; content?: unknown };
    expect(line.completionTokens).toBe(20);
    expect(line.content).toBeUndefined();
    const [record] = records(folder);
    expect(record?.completionTokens).toBe(20);
    expect(record?.content).toBeUndefined();
  });

  it("records a Ctrl-C as aborted, with the partial answer", async () => {
    const folder = home();
    const cli = startCli(["chat", "--base-url", `${mock.url}/s/slow/v1`, "Stop me"], {
      env: { LLMSTREAM_HOME: folder },
    });
    await cli.waitForStdout((stdout) => stdout.length > 0);
    cli.child.kill("SIGINT");
    expect((await cli.exited).code).toBe(130);
    const [record, ...rest] = records(folder);
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({ finishReason: "aborted", errorCode: "aborted", source: "chat" });
    expect(record?.content?.messages).toEqual([{ role: "user", content: "Stop me" }]);
    expect(record?.content?.text).toBe(cli.stdout().slice(0, -1));
    expect(record?.content?.text.length).toBeLessThan(MOCK_ANSWER.length);
  });

  it("LLMSTREAM_NO_LOG=1 turns the database off but keeps --log-file", async () => {
    const folder = home();
    const file = join(folder, "requests.jsonl");
    const run = await runCli(["chat", "--base-url", mock.baseURL, "--log-file", file, "Hello"], {
      env: { LLMSTREAM_HOME: folder, LLMSTREAM_NO_LOG: "1" },
    });
    expect(run.code).toBe(0);
    expect(existsSync(join(folder, "logs.db"))).toBe(false);
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(1);
  });

  it("--no-log writes no database", async () => {
    const folder = home();
    const run = await runCli(["chat", "--base-url", mock.baseURL, "--no-log", "Hello"], {
      env: { LLMSTREAM_HOME: folder },
    });
    expect(run.code).toBe(0);
    expect(existsSync(join(folder, "logs.db"))).toBe(false);
  });
});
