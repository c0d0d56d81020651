import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLogDatabase } from "../../packages/log/src/openLogDatabase.js";
import { getRequest, listRequests } from "../../packages/log/src/queryLogs.js";
import { cliPath, ensureBuilt, runCli, startCli } from "./cliProcess.js";

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

  it("SIGTERM (timeout, docker stop) is handled like Ctrl-C: socket closed, partial kept and logged as aborted, exit 143", async () => {
    const folder = home();
    const cli = startCli(["chat", "--base-url", `${mock.url}/s/slow/v1`, "Terminate me"], {
      env: { LLMSTREAM_HOME: folder },
    });
    await cli.waitForStdout((stdout) => stdout.length > 0);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toEqual({ code: 143, signal: null });
    const index = mock.requests.findIndex((request) => request.rawBody.includes("Terminate me"));
    expect((await mock.waitForClose(index)).clientClosedEarly).toBe(true);
    expect(cli.stdout().endsWith("\n")).toBe(true);
    expect(cli.stderr()).toBe("");
    const [record, ...rest] = records(folder);
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({ finishReason: "aborted", errorCode: "aborted", source: "chat" });
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

describe.concurrent("llmstream chat: an unusable log location", () => {
  /** The answer is printed, one warning names the path and the fix, the exit code is the answer's, the process ends. */
  async function expectAnswerAndOneWarning(
    args: string[],
    options: { env: Record<string, string>; uid?: number },
    warning: RegExp,
  ) {
    const run = await runCli(["chat", "--base-url", mock.baseURL, ...args, "Hello"], {
      ...options,
      timeoutMs: 10_000,
    });
    expect(run.stdout).toBe(`${MOCK_ANSWER}\n`);
    expect(run.code).toBe(0);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(warning);
  }

  it("LLMSTREAM_HOME under /proc (where Node 20's recursive mkdir spun forever)", async () => {
    await expectAnswerAndOneWarning(
      [],
      { env: { LLMSTREAM_HOME: "/proc/nope" } },
      /^warning: SQLite log \/proc\/nope\/logs\.db failed: Cannot create \/proc\/nope: \/proc is a virtual file system; .*set LLMSTREAM_HOME to a writable folder, or turn the log off with --no-log/,
    );
  });

  it("LLMSTREAM_HOME with a file in the way", async () => {
    const file = join(home(), "a-file");
    writeFileSync(file, "");
    await expectAnswerAndOneWarning(
      [],
      { env: { LLMSTREAM_HOME: join(file, "home") } },
      new RegExp(
        `^warning: SQLite log .*logs\\.db failed: ${file} is a file, not a folder.*set LLMSTREAM_HOME`,
      ),
    );
  });

  it("a read-only LLMSTREAM_HOME", async () => {
    const folder = home();
    chmodSync(folder, 0o555);
    // root writes through permissions: run the CLI as nobody then, who must be able to reach it (a
    // checkout inside a private folder, e.g. mktemp -d, is not: let others pass through, for this test).
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const restore = uid === undefined ? () => {} : letOthersPassThrough(dirname(cliPath));
    try {
      await expectAnswerAndOneWarning(
        [],
        { env: { LLMSTREAM_HOME: join(folder, "home") }, ...(uid === undefined ? {} : { uid }) },
        /^warning: SQLite log .*logs\.db failed: Cannot create the folder .*home: EACCES.*set LLMSTREAM_HOME/,
      );
    } finally {
      restore();
    }
    expect(existsSync(join(folder, "home"))).toBe(false);
  });

  it("a full disk (--log-file /dev/full)", async () => {
    await expectAnswerAndOneWarning(
      ["--log-file", "/dev/full"],
      { env: { LLMSTREAM_HOME: home() } },
      /^warning: JSONL log \/dev\/full failed: ENOSPC.*choose another --log-file path/,
    );
  });

  it("--log-file under /proc, and one that would need a new folder at the file system root", async () => {
    const folder = home();
    await expectAnswerAndOneWarning(
      ["--log-file", "/proc/nope/requests.jsonl"],
      { env: { LLMSTREAM_HOME: folder } },
      /^warning: JSONL log \/proc\/nope\/requests\.jsonl failed: Cannot create \/proc\/nope: .*choose another --log-file path/,
    );
    const atRoot = `/llmstream-cli-test-${process.pid}`;
    await expectAnswerAndOneWarning(
      ["--log-file", `${atRoot}/requests.jsonl`],
      { env: { LLMSTREAM_HOME: folder } },
      /^warning: JSONL log .* failed: Will not create \/llmstream-cli-test-\d+ at the file system root.*choose another --log-file path/,
    );
    expect(existsSync(atRoot)).toBe(false);
    expect(records(folder)).toHaveLength(2);
  });
});

/** Adds the search bit for others to every folder above `path` that lacks it; returns the undo. */
function letOthersPassThrough(path: string): () => void {
  const changed: { folder: string; mode: number }[] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    const mode = statSync(folder).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(folder, mode | 0o001);
      changed.push({ folder, mode });
    }
    if (dirname(folder) === folder) break;
  }
  return () => {
    for (const { folder, mode } of changed) chmodSync(folder, mode);
  };
}
