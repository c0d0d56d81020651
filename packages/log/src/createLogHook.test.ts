import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError } from "llmstream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlSink } from "./createJsonlSink.js";
import { createLogHook, type SinkErrorInfo } from "./createLogHook.js";
import { createSqliteSink } from "./createSqliteSink.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { openSqliteDatabase } from "./openLogDatabase.js";
import { listRequests } from "./queryLogs.js";
import type { RequestRecord } from "./RequestRecord.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmstream-hook-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("createLogHook", () => {
  it("writes each finished request, success or abort, to every sink", () => {
    const sqlite = createSqliteSink({ path: join(dir, "logs.db") });
    const jsonlPath = join(dir, "requests.jsonl");
    const jsonl = createJsonlSink({ path: jsonlPath });
    const onFinish = createLogHook({ sinks: [sqlite, jsonl], source: "chat", logContent: false });
    onFinish(makeFinishInfo({ startedAtEpochMs: Date.UTC(2026, 0, 1) }));
    onFinish(
      makeFinishInfo({
        error: new AbortedError("Aborted by the user"),
        startedAtEpochMs: Date.UTC(2026, 0, 2),
      }),
    );
    sqlite.close();
    jsonl.close();

    const lines = readFileSync(jsonlPath, "utf8").trim().split("\n");
    const fromJsonl = lines.map((line) => JSON.parse(line) as RequestRecord);
    const db = openSqliteDatabase(join(dir, "logs.db"));
    try {
      expect(listRequests(db).reverse()).toEqual(fromJsonl);
    } finally {
      db.close();
    }
    expect(fromJsonl.map((r) => [r.finishReason, r.errorCode])).toEqual([
      ["stop", undefined],
      ["aborted", "aborted"],
    ]);
  });

  it("reports a failing sink once, never throws, and keeps feeding the healthy sink", () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const broken = createSqliteSink({ path: join(blocker, "logs.db") });
    const jsonlPath = join(dir, "ok.jsonl");
    const healthy = createJsonlSink({ path: jsonlPath });
    const reports: SinkErrorInfo[] = [];
    const onFinish = createLogHook({
      sinks: [broken, healthy],
      source: "serve",
      logContent: false,
      onSinkError: (info) => reports.push(info),
    });
    for (let i = 0; i < 5; i++) expect(() => onFinish(makeFinishInfo())).not.toThrow();
    healthy.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.sink).toBe(broken);
    expect(reports[0]!.message).toMatch(/^SQLite log .*a-file\/logs\.db failed: .*The answer is unaffected/);
    expect(readFileSync(jsonlPath, "utf8").trim().split("\n")).toHaveLength(5);
  });

  it("reports a full disk once (/dev/full answers every write with ENOSPC)", () => {
    const reports: SinkErrorInfo[] = [];
    const full = createJsonlSink({ path: "/dev/full" });
    const onFinish = createLogHook({
      sinks: [full],
      source: "chat",
      logContent: true,
      onSinkError: (info) => reports.push(info),
    });
    for (let i = 0; i < 3; i++) expect(() => onFinish(makeFinishInfo())).not.toThrow();
    full.close();
    expect(reports.map((r) => r.message)).toEqual([
      expect.stringMatching(/^JSONL log \/dev\/full failed: ENOSPC/),
    ]);
  });

  it("reports a locked database once, waits only busyTimeoutMs, and recovers when the lock goes", () => {
    const path = join(dir, "locked.db");
    const holder = openSqliteDatabase(path);
    holder.exec("BEGIN EXCLUSIVE");
    const sink = createSqliteSink({ path, busyTimeoutMs: 50 });
    const reports: SinkErrorInfo[] = [];
    const onFinish = createLogHook({
      sinks: [sink],
      source: "serve",
      logContent: false,
      onSinkError: (info) => reports.push(info),
    });
    const started = performance.now();
    onFinish(makeFinishInfo({ startedAtEpochMs: 1000 }));
    onFinish(makeFinishInfo({ startedAtEpochMs: 2000 }));
    const waited = performance.now() - started;
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toMatch(/database is locked/);
    // Two writes, each giving up after ~50 ms: the stream is held up briefly, never for long.
    expect(waited).toBeLessThan(2000);
    holder.exec("COMMIT");
    holder.close();
    onFinish(makeFinishInfo({ startedAtEpochMs: 3000 }));
    sink.close();
    const db = openSqliteDatabase(path);
    try {
      expect(listRequests(db).map((r) => r.startedAt)).toEqual([new Date(3000).toISOString()]);
    } finally {
      db.close();
    }
    expect(reports).toHaveLength(1);
  });

  it("survives a reporter that throws and a record that cannot be built", () => {
    const sink = {
      name: "always failing",
      write: () => {
        throw new Error("disk full");
      },
      close: () => {},
    };
    const onFinish = createLogHook({
      sinks: [sink],
      source: "chat",
      logContent: true,
      onSinkError: () => {
        throw new Error("stderr is gone");
      },
    });
    expect(() => onFinish(makeFinishInfo())).not.toThrow();
    const reports: string[] = [];
    const strict = createLogHook({
      sinks: [],
      source: "chat",
      logContent: true,
      onSinkError: (e) => reports.push(e.message),
    });
    // A result without metrics is not something the client sends, but the hook must not throw on it.
    const damaged = makeFinishInfo();
    (damaged.result as { metrics?: unknown }).metrics = undefined;
    expect(() => strict(damaged)).not.toThrow();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^The request log failed/);
  });
});
