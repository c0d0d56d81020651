import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestStats } from "@llmstream/log";
import { createSqliteSink, type RequestRecord, toRequestRecord } from "@llmstream/log";
import { ConnectionError } from "llmstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFinishInfo } from "../../../../log/src/finishInfo.test-helper.js";
import { runCli } from "../runCli.js";

let home: string;
const previousHome = process.env.LLMSTREAM_HOME;
const records: RequestRecord[] = [];

/** Runs the CLI in-process, capturing what it writes to stdout and stderr. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "llmstream-home-"));
  process.env.LLMSTREAM_HOME = home;
});

afterAll(() => {
  if (previousHome === undefined) delete process.env.LLMSTREAM_HOME;
  else process.env.LLMSTREAM_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
});

describe("llmstream logs", () => {
  it("prints the database path and says when nothing is logged yet", async () => {
    expect(await run(["logs", "path"])).toEqual({
      code: 0,
      stdout: `${join(home, "logs.db")}\n`,
      stderr: "",
    });
    const empty = await run(["logs"]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toMatch(/No requests logged yet/);
    expect(await run(["logs", "--json"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("lists logged requests as a table and as NDJSON, with filters", async () => {
    const sink = createSqliteSink({ path: join(home, "logs.db") });
    const now = Date.now();
    const infos = [
      makeFinishInfo({ startedAtEpochMs: now - 3 * 3_600_000, ttftMs: 250, e2eMs: 770 }),
      makeFinishInfo({
        startedAtEpochMs: now - 60_000,
        model: "llama3.2",
        url: "http://10.1.1.1:8080/v1",
        error: new ConnectionError("Connection refused"),
      }),
      makeFinishInfo({ startedAtEpochMs: now - 30_000, ttftMs: 90, e2eMs: 1590, text: "The sky is blue." }),
    ];
    for (const info of infos) {
      const record = toRequestRecord(info, { source: "chat", logContent: true });
      records.push(record);
      sink.write(record);
    }
    sink.close();

    const table = await run(["logs"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TIME\s+MODEL\s+HOST\s+STATUS\s+IN\/OUT\s+TTFT\s+TOK\/S\s+E2E$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(records[2]!.id);
    expect(lines[1]).toMatch(/qwen3:0\.6b\s+127\.0\.0\.1:11434\s+stop\s+25\/11\s+90ms\s+\d+\.\d\s+1\.59s$/);
    expect(lines[2]).toMatch(/llama3\.2\s+10\.1\.1\.1:8080\s+connection/);
    // Not a terminal: no escape codes.
    expect(table.stdout).not.toContain("\u001b[");

    const json = await run(["logs", "--json", "-n", "2"]);
    const listed = json.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as RequestRecord);
    const { content: _c2, ...newest } = records[2]!;
    const { content: _c1, ...second } = records[1]!;
    expect(listed).toEqual([newest, second]);

    const errors = await run(["logs", "--errors", "--json"]);
    expect(
      errors.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    ).toEqual([records[1]!.id]);
    const recent = await run(["logs", "--since", "1h", "--model", "qwen3:0.6b", "--json"]);
    expect(
      recent.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    ).toEqual([records[2]!.id]);
  });

  it("shows one request with its content, by id prefix", async () => {
    const record = records[2]!;
    const shown = await run(["logs", "show", record.id.slice(0, 22).toLowerCase()]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`id:               ${record.id}`);
    expect(shown.stdout).toMatch(/ttft:\s+90ms/);
    expect(shown.stdout).toContain("[user]\nSay hello");
    expect(shown.stdout).toContain("[answer]\nThe sky is blue.");

    const json = await run(["logs", "show", record.id, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual(record);

    const missing = await run(["logs", "show", "7ZZZZ"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No logged request has an id starting with "7ZZZZ"/);
  });

  it("summarises by model and endpoint", async () => {
    const json = await run(["logs", "stats", "--json"]);
    const stats = json.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as RequestStats);
    expect(stats.map((s) => [s.model, s.host, s.count, s.errors, s.errorRate])).toEqual([
      ["qwen3:0.6b", "127.0.0.1:11434", 2, 0, 0],
      ["llama3.2", "10.1.1.1:8080", 1, 1, 1],
    ]);
    // TTFT 90 and 250 ms: p50 = 170, p95 = 90 + 0.95·160 = 242.
    expect(stats[0]!.ttftP50Ms).toBeCloseTo(170, 9);
    expect(stats[0]!.ttftP95Ms).toBeCloseTo(242, 9);

    const table = await run(["logs", "stats"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^MODEL\s+HOST\s+COUNT\s+ERR%\s+TTFT p50\s+p95\s+p99/);
    expect(table.stdout).toMatch(/qwen3:0\.6b\s+127\.0\.0\.1:11434\s+2\s+0\.0\s+170ms\s+242ms/);
    expect(table.stdout).toMatch(/llama3\.2\s+10\.1\.1\.1:8080\s+1\s+100\.0/);
  });

  it("rejects bad option values with exit code 2", async () => {
    const since = await run(["logs", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/Cannot read --since "yesterday"/);
    expect((await run(["logs", "-n", "many"])).code).toBe(2);
    const ambiguous = await run(["logs", "show", "0"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/matches several requests/);
  });

  it("prune --older-than deletes the old requests, clear deletes the rest (run last: it empties the log)", async () => {
    const pruned = await run(["logs", "prune", "--older-than", "1h"]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^Deleted 1 request older than \d{4}-\d\d-\d\dT/);
    expect((await run(["logs", "--json"])).stdout.trimEnd().split("\n")).toHaveLength(2);
    expect((await run(["logs", "prune", "--older-than", "soon"])).code).toBe(2);
    expect(await run(["logs", "clear"])).toEqual({
      code: 0,
      stdout: "Deleted 2 requests; the log is empty.\n",
      stderr: "",
    });
    expect((await run(["logs", "--json"])).stdout).toBe("");
  });
});
