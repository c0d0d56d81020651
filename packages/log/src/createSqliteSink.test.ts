import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TimeoutError } from "llmstream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteSink } from "./createSqliteSink.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { schemaVersion } from "./migrations.js";
import { openSqliteDatabase } from "./openLogDatabase.js";
import { getRequest, listRequests } from "./queryLogs.js";
import { toRequestRecord } from "./RequestRecord.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmstream-sqlite-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("createSqliteSink", () => {
  it("stores records that read back field for field, content included", () => {
    const path = join(dir, "nested", "logs.db");
    const sink = createSqliteSink({ path });
    const info = makeFinishInfo();
    info.result.serverTimings = { promptTokens: 25, promptMs: 40, completionTokensPerSecond: 22.5 };
    info.result.toolCalls = [{ index: 0, id: "call_1", name: "lookup", arguments: '{"q":"x"}' }];
    info.result.warnings = ["Retried without stream_options"];
    const record = toRequestRecord(info, { source: "chat", logContent: true });
    const failed = toRequestRecord(
      makeFinishInfo({
        error: new TimeoutError("idle", 5000, "No token for 5000 ms"),
        startedAtEpochMs: Date.now(),
      }),
      { source: "serve", logContent: false },
    );
    sink.write(record);
    sink.write(failed);
    sink.close();

    const db = openSqliteDatabase(path);
    try {
      expect(getRequest(db, record.id)).toEqual(record);
      expect(getRequest(db, failed.id)).toEqual(failed);
      expect(listRequests(db).map((r) => r.id)).toEqual([failed.id, record.id]);
      // Listing never carries content.
      expect(listRequests(db).every((r) => r.content === undefined)).toBe(true);
    } finally {
      db.close();
    }
  });

  it("keeps the relay upstream's name, and upgrades a database written before that column existed", async () => {
    const path = join(dir, "logs.db");
    // A version-1 database (no upstream column) with one row, as an older llmstream left it.
    const { migrations } = await import("./migrations.js");
    const { default: Database } = await import("better-sqlite3");
    const old = new Database(path);
    migrations[0]?.(old);
    old.pragma("user_version = 1");
    old
      .prepare(
        `INSERT INTO requests (id, started_at, started_at_ms, source, host, protocol, model, finish_reason,
          prompt_tokens, completion_tokens, total_tokens, token_source, e2e_ms, chunks, token_chunks, attempts,
          warnings, has_content)
        VALUES ('01OLD', '2026-01-01T00:00:00.000Z', 1767225600000, 'chat', 'h:1', 'openai', 'm', 'stop',
          1, 2, 3, 'server', 10, 3, 2, 1, '[]', 0)`,
      )
      .run();
    old.close();
    const relayed = toRequestRecord(makeFinishInfo(), {
      source: "serve",
      logContent: false,
      upstream: "gpu-box",
    });
    expect(relayed.upstream).toBe("gpu-box");
    const sink = createSqliteSink({ path });
    sink.write(relayed);
    sink.close();
    const db = openSqliteDatabase(path);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion);
      expect(getRequest(db, relayed.id)).toEqual(relayed);
      const kept = getRequest(db, "01OLD");
      expect(kept).toMatchObject({ id: "01OLD", host: "h:1", completionTokens: 2 });
      expect(kept?.upstream).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it("uses WAL mode and records the schema version", () => {
    const path = join(dir, "logs.db");
    const sink = createSqliteSink({ path });
    sink.write(toRequestRecord(makeFinishInfo(), { source: "chat", logContent: false }));
    sink.close();
    const db = openSqliteDatabase(path);
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("user_version", { simple: true })).toBe(schemaVersion);
      expect(schemaVersion).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  });

  it("refuses a database written by a newer llmstream, naming the fix", () => {
    const path = join(dir, "future.db");
    openSqliteDatabase(path).pragma(`user_version = ${schemaVersion + 1}`);
    expect(() => openSqliteDatabase(path)).toThrow(
      /newer than this llmstream understands.*upgrade llmstream/,
    );
  });

  it("throws on an unwritable path, or hands the error to onError", () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a folder");
    const path = join(blocker, "logs.db");
    const record = toRequestRecord(makeFinishInfo(), { source: "chat", logContent: false });
    expect(() => createSqliteSink({ path }).write(record)).toThrow(`${blocker} is a file, not a folder`);

    const errors: unknown[] = [];
    const sink = createSqliteSink({ path, onError: (error) => errors.push(error) });
    expect(() => sink.write(record)).not.toThrow();
    expect(() => sink.write(record)).not.toThrow();
    expect(errors).toHaveLength(2);
  });

  it("rejects a duplicate id without half-writing it", () => {
    const path = join(dir, "logs.db");
    const sink = createSqliteSink({ path });
    const record = toRequestRecord(makeFinishInfo(), { source: "chat", logContent: true });
    sink.write(record);
    expect(() => sink.write({ ...record, model: "other" })).toThrow(/UNIQUE/);
    sink.close();
    const db = openSqliteDatabase(path);
    try {
      expect(db.prepare("SELECT count(*) AS n FROM request_content").get()).toEqual({ n: 1 });
      expect(getRequest(db, record.id)?.model).toBe("qwen3:0.6b");
    } finally {
      db.close();
    }
  });

  it("waits the busy timeout once for a locked file, then fails fast until a write succeeds", () => {
    const path = join(dir, "logs.db");
    const sink = createSqliteSink({ path, busyTimeoutMs: 400 });
    const write = (startedAtEpochMs: number) => () =>
      sink.write(
        toRequestRecord(makeFinishInfo({ startedAtEpochMs }), { source: "chat", logContent: false }),
      );
    const timed = (action: () => void): number => {
      const started = performance.now();
      expect(action).toThrow(/database is locked/);
      return performance.now() - started;
    };
    write(1000)();
    const holder = openSqliteDatabase(path);
    try {
      holder.exec("BEGIN EXCLUSIVE");
      expect(timed(write(2000))).toBeGreaterThanOrEqual(350);
      // The lock is still there: no more waiting for it at every request.
      for (const at of [3000, 4000, 5000]) expect(timed(write(at))).toBeLessThan(150);
      holder.exec("COMMIT");
      write(6000)();
      // A successful write restores the wait, which rides out a brief lock by another writer.
      holder.exec("BEGIN EXCLUSIVE");
      expect(timed(write(7000))).toBeGreaterThanOrEqual(350);
      holder.exec("COMMIT");
    } finally {
      holder.close();
    }
    sink.close();
    const db = openSqliteDatabase(path);
    try {
      expect(listRequests(db).map((r) => Date.parse(r.startedAt))).toEqual([6000, 1000]);
    } finally {
      db.close();
    }
  });
});
