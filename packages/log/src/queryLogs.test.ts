import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { AbortedError, ConnectionError } from "llmstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteSink } from "./createSqliteSink.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { openSqliteDatabase } from "./openLogDatabase.js";
import { getRequest, listRequests } from "./queryLogs.js";
import { toRequestRecord } from "./RequestRecord.js";
import { requestStats } from "./requestStats.js";

let dir: string;
let db: Database;
const hour = 3_600_000;
const now = Date.now();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "llmstream-query-"));
  const path = join(dir, "logs.db");
  const sink = createSqliteSink({ path });
  // qwen at 127.0.0.1:11434: TTFT 100..1000 ms, hours 1..10 ago; one connection error, one abort.
  for (let i = 1; i <= 10; i++) {
    const error =
      i === 3 ? new ConnectionError("Connection refused") : i === 4 ? new AbortedError("Aborted") : undefined;
    const info = makeFinishInfo({
      startedAtEpochMs: now - i * hour,
      ttftMs: i * 100,
      e2eMs: i * 100 + 520,
      promptTokens: 10,
      completionTokens: 11,
      ...(error === undefined ? {} : { error }),
    });
    sink.write(toRequestRecord(info, { source: "chat", logContent: false }));
  }
  // llama on another host, 30 minutes ago, no first token (it failed before one).
  const noToken = makeFinishInfo({
    model: "llama",
    url: "http://10.0.0.2:8080/v1",
    startedAtEpochMs: now - hour / 2,
    completionTokens: 0,
    promptTokens: 7,
    error: new ConnectionError("Connection reset"),
  });
  const { ttftMs: _t, ttfatMs: _a, tpotMs: _p, tokensPerSecond: _s, ...metrics } = noToken.result.metrics;
  noToken.result.metrics = metrics;
  sink.write(toRequestRecord(noToken, { source: "serve", logContent: false }));
  sink.close();
  db = openSqliteDatabase(path);
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("listRequests", () => {
  it("lists newest first, limited", () => {
    const records = listRequests(db, { limit: 3 });
    expect(records.map((r) => [r.model, r.ttftMs])).toEqual([
      ["llama", undefined],
      ["qwen3:0.6b", 100],
      ["qwen3:0.6b", 200],
    ]);
    expect(listRequests(db)).toHaveLength(11);
  });

  it("filters by model, by since (relative or ISO) and by errors", () => {
    expect(listRequests(db, { model: "llama" }).map((r) => r.host)).toEqual(["10.0.0.2:8080"]);
    expect(listRequests(db, { since: "150m" })).toHaveLength(3);
    expect(listRequests(db, { since: new Date(now - 5.5 * hour).toISOString() })).toHaveLength(6);
    expect(listRequests(db, { since: now - 1.5 * hour, model: "qwen3:0.6b" })).toHaveLength(1);
    const errors = listRequests(db, { errorsOnly: true });
    expect(errors.map((r) => r.errorCode)).toEqual(["connection", "connection"]);
  });
});

describe("getRequest", () => {
  it("finds by full id or unique prefix in any case, and names the candidates when ambiguous", () => {
    const [newest] = listRequests(db, { limit: 1 });
    expect(getRequest(db, newest!.id)?.id).toBe(newest!.id);
    expect(getRequest(db, newest!.id.slice(0, 20).toLowerCase())?.id).toBe(newest!.id);
    expect(getRequest(db, "ZZZZ")).toBeUndefined();
    // All ids start with "0" for the next few thousand years.
    expect(() => getRequest(db, "0")).toThrow(/matches several requests .*give more characters/);
    expect(() => getRequest(db, " ")).toThrow(RangeError);
  });
});

describe("requestStats", () => {
  it("aggregates by model and host with exact percentiles", () => {
    const stats = requestStats(db);
    expect(stats).toHaveLength(2);
    const [qwen, llama] = stats;
    // TTFT values 100..1000 step 100. R-7: p50 at rank 4.5 → 550; p95 at 8.55 → 955; p99 at 8.91 → 991.
    expect(qwen).toMatchObject({
      model: "qwen3:0.6b",
      host: "127.0.0.1:11434",
      count: 10,
      errors: 1,
      aborted: 1,
      errorRate: 0.1,
      promptTokens: 100,
      completionTokens: 110,
    });
    expect(qwen!.ttftP50Ms).toBeCloseTo(550, 9);
    expect(qwen!.ttftP95Ms).toBeCloseTo(955, 9);
    expect(qwen!.ttftP99Ms).toBeCloseTo(991, 9);
    // Every qwen request decodes 10 gaps over 500 ms: TPOT 50 ms, 20 tokens/s.
    expect(qwen!.tpotP50Ms).toBeCloseTo(50, 9);
    expect(qwen!.tokensPerSecondP50).toBeCloseTo(20, 9);
    expect(llama).toEqual({
      model: "llama",
      host: "10.0.0.2:8080",
      count: 1,
      errors: 1,
      aborted: 0,
      errorRate: 1,
      promptTokens: 7,
      completionTokens: 0,
    });
  });

  it("respects the same filters", () => {
    const recent = requestStats(db, { since: "3h", model: "qwen3:0.6b" });
    expect(recent).toHaveLength(1);
    expect(recent[0]!.count).toBe(2);
    expect(recent[0]!.ttftP50Ms).toBeCloseTo(150, 9);
  });
});
