import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileLogForChildren } from "./compileForChildren.test-helper.js";
import { openSqliteDatabase } from "./openLogDatabase.js";

let compiled: { indexUrl: string; outDir: string } | undefined;
let dir = "";

// A child writes `count` records through the real sink (with the CLI's default busy timeout), each
// with ~`contentBytes` of answer text, and prints a line after every commit. With count 0 it writes
// until killed. It prints "ready" once loaded and starts writing when a line arrives on stdin, so
// that every child starts at the same moment.
const childSource = (indexUrl: string) => `
import { once } from "node:events";
import { createSqliteSink, toRequestRecord } from ${JSON.stringify(indexUrl)};
const [path, worker, countText, contentBytesText] = process.argv.slice(2);
const count = Number(countText);
const text = "x".repeat(Number(contentBytesText));
const sink = createSqliteSink({ path });
const gap = { p50: 5, p90: 5, p99: 5, max: 5, count: 9 };
process.stdout.write("ready\\n");
await once(process.stdin, "data");
process.stdin.destroy();
for (let i = 0; count === 0 || i < count; i++) {
  const startedAtEpochMs = Date.now();
  const info = {
    result: {
      text, reasoning: "", toolCalls: [], finishReason: "stop", warnings: [],
      usage: { promptTokens: 3, completionTokens: 10, totalTokens: 13, source: "server" },
      metrics: { startedAtEpochMs, endAt: 60, e2eMs: 60, ttftMs: 10, chunks: 12, tokenChunks: 10, chunkGaps: gap, attempts: 1 },
    },
    request: { url: "http://127.0.0.1:1/v1", protocol: "openai", model: "worker-" + worker, messages: [{ role: "user", content: "n" + i }] },
  };
  sink.write(toRequestRecord(info, { source: "serve", logContent: true }));
  if (count === 0) process.stdout.write("w\\n");
}
sink.close();
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "llmstream-log-"));
  compiled = compileLogForChildren();
  writeFileSync(join(dir, "child.mjs"), childSource(compiled.indexUrl));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (compiled !== undefined) rmSync(compiled.outDir, { recursive: true, force: true });
});

function runChild(args: string[]): {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<number | null>;
} {
  const child = spawn(process.execPath, [join(dir, "child.mjs"), ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      if (!data.toString().includes("ready")) return;
      child.stdout?.off("data", onData);
      resolve();
    };
    child.stdout?.on("data", onData);
    // A child that dies while loading fails the test at once, with its stderr (see `done`).
    child.on("exit", () => reject(new Error(`The writer exited before it was ready: ${stderr}`)));
  });
  const done = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`Child exited with ${code}: ${stderr}`));
      else resolve(code);
    });
  });
  return { child, ready, done };
}

describe("SQLite request log under concurrent processes", () => {
  it("keeps every record when 8 processes write 500 each at once", async () => {
    const path = join(dir, "concurrent.db");
    const children = Array.from({ length: 8 }, (_, worker) => runChild([path, String(worker), "500", "200"]));
    await Promise.all(children.map((c) => c.ready));
    for (const { child } of children) child.stdin?.write("go\n");
    await Promise.all(children.map((c) => c.done));
    const db = openSqliteDatabase(path);
    try {
      expect(db.prepare("SELECT count(*) AS n FROM requests").get()).toEqual({ n: 4000 });
      expect(db.prepare("SELECT count(*) AS n FROM request_content").get()).toEqual({ n: 4000 });
      const perWorker = db
        .prepare("SELECT model, count(*) AS n FROM requests GROUP BY model ORDER BY model")
        .all();
      expect(perWorker).toEqual(
        Array.from({ length: 8 }, (_, worker) => ({ model: `worker-${worker}`, n: 500 })),
      );
      expect(db.prepare("SELECT count(DISTINCT id) AS n FROM requests").get()).toEqual({ n: 4000 });
      // The writers really overlapped: in commit order the worker changes far more often than the
      // 7 times of one-after-another writing.
      const order = db.prepare("SELECT model FROM requests ORDER BY rowid").pluck().all() as string[];
      const switches = order.filter((model, i) => i > 0 && model !== order[i - 1]).length;
      expect(switches).toBeGreaterThan(50);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  }, 60_000);

  it("leaves a consistent database when a writer is killed mid-write", async () => {
    const path = join(dir, "killed.db");
    // Large answers make each transaction long enough that the kill usually lands inside one.
    const { child, ready, done } = runChild([path, "0", "0", "400000"]);
    await ready;
    child.stdin?.write("go\n");
    let committed = 0;
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (data: Buffer) => {
        committed += (data.toString().match(/w\n/g) ?? []).length;
        if (committed >= 40) resolve();
      });
    });
    child.kill("SIGKILL");
    await done;
    expect(existsSync(`${path}-wal`)).toBe(true);
    const db = openSqliteDatabase(path);
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const requests = (db.prepare("SELECT count(*) AS n FROM requests").get() as { n: number }).n;
      // Every record reported as written survived; nothing half-written is visible.
      expect(requests).toBeGreaterThanOrEqual(committed);
      const orphans = db
        .prepare(
          `SELECT count(*) AS n FROM requests r LEFT JOIN request_content c ON c.id = r.id
           WHERE c.id IS NULL OR length(c.text) <> 400000`,
        )
        .get();
      expect(orphans).toEqual({ n: 0 });
      expect(db.prepare("SELECT count(*) AS n FROM request_content").get()).toEqual({ n: requests });
    } finally {
      db.close();
    }
  }, 60_000);
});
