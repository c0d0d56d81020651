import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSqliteSink } from "./createSqliteSink.js";
import { deleteRequests } from "./deleteRequests.js";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { openLogDatabase } from "./openLogDatabase.js";
import { listRequests } from "./queryLogs.js";
import { toRequestRecord } from "./RequestRecord.js";

function logWith(startTimes: number[]) {
  const path = join(mkdtempSync(join(tmpdir(), "llmstream-delete-")), "logs.db");
  const sink = createSqliteSink({ path });
  for (const startedAtEpochMs of startTimes) {
    sink.write(toRequestRecord(makeFinishInfo({ startedAtEpochMs }), { source: "chat", logContent: true }));
  }
  sink.close();
  return path;
}

describe("deleteRequests", () => {
  it("deletes the requests started before a time, with their content, and keeps the rest", () => {
    const path = logWith([1000, 2000, 3000]);
    const db = openLogDatabase(path);
    try {
      expect(deleteRequests(db, { before: 2500 })).toBe(2);
      expect(listRequests(db).map((record) => Date.parse(record.startedAt))).toEqual([3000]);
      expect(deleteRequests(db, { before: 2500 })).toBe(0);
    } finally {
      db.close();
    }
  });

  it("deletes everything, and the answers' text is gone from the file", () => {
    const path = logWith([1000, 2000]);
    expect(readFileSync(path).includes("Hello there, how can I help?")).toBe(true);
    const db = openLogDatabase(path);
    try {
      expect(deleteRequests(db)).toBe(2);
      expect(listRequests(db)).toEqual([]);
    } finally {
      db.close();
    }
    expect(readFileSync(path).includes("Hello there, how can I help?")).toBe(false);
  });
});
