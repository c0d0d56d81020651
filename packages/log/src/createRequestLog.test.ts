import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRequestLog } from "./createRequestLog.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { openSqliteDatabase } from "./openLogDatabase.js";
import { getRequest, listRequests } from "./queryLogs.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "llmstream-cli-log-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function readAll(path: string) {
  const db = openSqliteDatabase(path);
  try {
    return listRequests(db).map((record) => getRequest(db, record.id)!);
  } finally {
    db.close();
  }
}

describe("createRequestLog", () => {
  it("logs chat with content and serve without, into LLMSTREAM_HOME", async () => {
    const env = { LLMSTREAM_HOME: home };
    const chat = createRequestLog({ source: "chat", env });
    chat.onFinish(makeFinishInfo({ startedAtEpochMs: 1000 }));
    await chat.close();
    const serve = createRequestLog({ source: "serve", env });
    serve.onFinish(makeFinishInfo({ startedAtEpochMs: 2000 }));
    await serve.close();
    const [served, chatted] = readAll(join(home, "logs.db"));
    expect(chatted!.source).toBe("chat");
    expect(chatted!.content?.text).toBe("Hello there, how can I help?");
    expect(served!.source).toBe("serve");
    expect(served!.content).toBeUndefined();
  });

  it("honours --log-content for serve and --no-log-content for chat", async () => {
    const env = { LLMSTREAM_HOME: home };
    const serve = createRequestLog({ source: "serve", env, logContent: true });
    serve.onFinish(makeFinishInfo({ startedAtEpochMs: 1000 }));
    await serve.close();
    const chat = createRequestLog({ source: "chat", env, logContent: false });
    chat.onFinish(makeFinishInfo({ startedAtEpochMs: 2000 }));
    await chat.close();
    expect(readAll(join(home, "logs.db")).map((r) => [r.source, r.content !== undefined])).toEqual([
      ["chat", false],
      ["serve", true],
    ]);
  });

  it("turns the database off with --no-log or LLMSTREAM_NO_LOG, keeping --log-file", async () => {
    const logFile = join(home, "out.jsonl");
    const off = createRequestLog({ source: "chat", env: { LLMSTREAM_HOME: home }, log: false, logFile });
    off.onFinish(makeFinishInfo());
    await off.close();
    const envOff = createRequestLog({ source: "chat", env: { LLMSTREAM_HOME: home, LLMSTREAM_NO_LOG: "1" } });
    expect(envOff.sinks).toHaveLength(0);
    envOff.onFinish(makeFinishInfo());
    await envOff.close();
    expect(existsSync(join(home, "logs.db"))).toBe(false);
    expect(readFileSync(logFile, "utf8").trim().split("\n")).toHaveLength(1);
    expect(
      createRequestLog({ source: "chat", env: { LLMSTREAM_HOME: home, LLMSTREAM_NO_LOG: "0" } }).sinks,
    ).toHaveLength(1);
  });

  it("reports an unwritable log once and carries on", async () => {
    writeFileSync(join(home, "file"), "");
    const messages: string[] = [];
    const log = createRequestLog({
      source: "chat",
      env: { LLMSTREAM_HOME: join(home, "file", "sub") },
      onSinkError: ({ message }) => messages.push(message),
    });
    for (let i = 0; i < 3; i++) expect(() => log.onFinish(makeFinishInfo())).not.toThrow();
    await log.close();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toBe(
      `SQLite log ${join(home, "file", "sub", "logs.db")} failed: ${join(home, "file")} is a file, not a folder: move it away or choose another path. The answer is unaffected; set LLMSTREAM_HOME to a writable folder, or turn the log off with log: false or LLMSTREAM_NO_LOG=1`,
    );
  });
});
