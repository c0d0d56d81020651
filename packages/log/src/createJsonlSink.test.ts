import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonlSink } from "./createJsonlSink.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { toRequestRecord } from "./RequestRecord.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmstream-jsonl-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("createJsonlSink", () => {
  it("appends one JSON line per record, keeping earlier lines", () => {
    const path = join(dir, "out", "requests.jsonl");
    const first = toRequestRecord(makeFinishInfo({ text: "line\nbreak" }), {
      source: "chat",
      logContent: true,
    });
    const second = toRequestRecord(makeFinishInfo({ model: "llama" }), {
      source: "serve",
      logContent: false,
    });
    const sink = createJsonlSink({ path });
    sink.write(first);
    sink.close();
    const again = createJsonlSink({ path });
    again.write(second);
    again.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual(first);
    expect(JSON.parse(lines[1]!)).toEqual(second);
  });

  it("throws when the path is a folder, and after close", () => {
    const folder = join(dir, "folder.jsonl");
    mkdirSync(folder);
    const record = toRequestRecord(makeFinishInfo(), { source: "chat", logContent: false });
    expect(() => createJsonlSink({ path: folder }).write(record)).toThrow(/EISDIR/);
    const sink = createJsonlSink({ path: join(dir, "ok.jsonl") });
    sink.close();
    expect(() => sink.write(record)).toThrow(/closed/);
  });
});
