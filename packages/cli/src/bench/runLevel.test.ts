import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpSender } from "./createHttpSender.js";
import { syntheticPrompts } from "./prompts.js";
import { runLevel } from "./runLevel.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(async () => {
  await mock.close();
});

const prompts = syntheticPrompts({ count: 8, tokens: 16 });
const fast = { "x-mock-first-token-ms": "40", "x-mock-interval-ms": "2" };

describe("runLevel against the mock", () => {
  it("measures a closed-loop level: first token after the role chunk, server usage, no failures", async () => {
    const send = await createHttpSender({
      baseURL: `${mock.url}/s/scheduled/v1`,
      model: "m",
      maxTokens: 10,
      headers: fast,
    });
    const { records, stats } = await runLevel(
      { mode: "concurrency", value: 4, requests: 8, warmup: 2 },
      { send, prompts },
    );
    expect(records).toHaveLength(8);
    expect(stats.completed).toBe(8);
    expect(stats.failed).toBe(0);
    expect(stats.usageSources).toEqual({ server: 8 });
    expect(stats.totalOutputTokens).toBe(80);
    // The first token came at least 40 ms after the role chunk, which is not a token chunk.
    expect(stats.ttft?.p50).toBeGreaterThanOrEqual(40);
    for (const r of records) expect(r.chunkTimes).toHaveLength(10);
    expect(stats.maxConcurrentRequests).toBe(4);
    expect(stats.interChunk?.count).toBe(8 * 9);
  });

  it("sends an open-loop level on schedule and records the lag", async () => {
    const send = await createHttpSender({
      baseURL: `${mock.url}/s/scheduled/v1`,
      model: "m",
      maxTokens: 3,
      headers: fast,
    });
    const { records, stats } = await runLevel(
      { mode: "rate", value: 100, arrivals: "constant", requests: 10 },
      { send, prompts },
    );
    expect(records.map((r) => r.scheduledAt)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    for (const r of records) expect(r.sentAt).toBeGreaterThanOrEqual(r.scheduledAt as number);
    expect(stats.openLoop?.scheduleLag.count).toBe(10);
    expect(stats.completed).toBe(10);
  });

  it("fails streams that end without [DONE], with an in-band error or truncated, and counts none of their tokens", async () => {
    mock.enqueue("ok", "no-done", "error-object", "truncated", "ok");
    const send = await createHttpSender({ baseURL: mock.baseURL, model: "m" });
    const { records, stats } = await runLevel(
      { mode: "concurrency", value: 1, requests: 5 },
      { send, prompts },
    );
    expect(records.map((r) => r.errorClass ?? "ok")).toEqual([
      "ok",
      "truncated",
      "in_stream",
      "truncated",
      "ok",
    ]);
    expect(stats.errors).toEqual({ truncated: 2, in_stream: 1 });
    expect(stats.totalOutputTokens).toBe(40);
  });

  it("runs a closed-loop level for a duration and lets the requests in flight finish", async () => {
    const send = await createHttpSender({
      baseURL: `${mock.url}/s/scheduled/v1`,
      model: "m",
      maxTokens: 3,
      headers: fast,
    });
    const { records, stats } = await runLevel(
      { mode: "concurrency", value: 2, durationMs: 300 },
      { send, prompts },
    );
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(stats.failed).toBe(0);
    // Nothing is sent after the duration; what was sent ran to its end.
    for (const r of records) expect(r.sentAt).toBeLessThan(300);
  });
});
