import { HttpError } from "llmstream";
import { describe, expect, it } from "vitest";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { toRequestRecord } from "./RequestRecord.js";

describe("toRequestRecord", () => {
  it("copies the request's figures and keeps content only when asked", () => {
    const info = makeFinishInfo({ ttftMs: 100, e2eMs: 620, completionTokens: 11 });
    info.result.serverTimings = { promptMs: 12.5, completionTokensPerSecond: 20 };
    const withContent = toRequestRecord(info, { source: "chat", logContent: true, id: "01TEST" });
    expect(withContent).toEqual({
      id: "01TEST",
      startedAt: "2026-11-25T10:00:00.000Z",
      source: "chat",
      host: "127.0.0.1:11434",
      protocol: "openai",
      model: "qwen3:0.6b",
      responseModel: "qwen3:0.6b",
      finishReason: "stop",
      rawFinishReason: "stop",
      promptTokens: 25,
      completionTokens: 11,
      totalTokens: 36,
      tokenSource: "server",
      ttftMs: 100,
      ttfatMs: 100,
      tpotMs: 50,
      e2eMs: 620,
      tokensPerSecond: 20,
      chunkGapP50Ms: 50,
      chunkGapP99Ms: 50,
      chunks: 13,
      tokenChunks: 11,
      attempts: 1,
      serverTimings: { promptMs: 12.5, completionTokensPerSecond: 20 },
      warnings: [],
      content: {
        messages: info.request.messages,
        text: "Hello there, how can I help?",
        reasoning: "",
        toolCalls: [],
      },
    });
    const withoutContent = toRequestRecord(info, { source: "serve", logContent: false });
    expect(withoutContent.content).toBeUndefined();
    expect(withoutContent.source).toBe("serve");
    expect(JSON.stringify(withoutContent)).not.toContain("Say hello");
  });

  it("records the error's code, message and HTTP status", () => {
    const error = new HttpError("Server answered 503 Service Unavailable", { status: 503 });
    const record = toRequestRecord(makeFinishInfo({ error }), { source: "chat", logContent: false });
    expect(record).toMatchObject({
      finishReason: "error",
      errorCode: "http",
      errorMessage: "Server answered 503 Service Unavailable",
      httpStatus: 503,
    });
  });

  it("names the embedded engine as the host and never keeps URL credentials", () => {
    const engine = toRequestRecord(makeFinishInfo({ protocol: "engine", url: "engine://local" }), {
      source: "chat",
      logContent: false,
    });
    expect(engine.host).toBe("engine");
    const remote = toRequestRecord(makeFinishInfo({ url: "https://user:secret@api.example.com/v1" }), {
      source: "chat",
      logContent: false,
    });
    expect(remote.host).toBe("api.example.com");
  });

  it("leaves chunk-gap percentiles out when there were no gaps", () => {
    const record = toRequestRecord(makeFinishInfo({ completionTokens: 1 }), {
      source: "chat",
      logContent: false,
    });
    expect(record.chunkGapP50Ms).toBeUndefined();
    expect(record.tpotMs).toBeUndefined();
    expect("chunkGapP99Ms" in record).toBe(false);
  });

  it("gives ids that sort by start time", () => {
    const ids = [3, 1, 2].map(
      (minute) =>
        toRequestRecord(makeFinishInfo({ startedAtEpochMs: Date.UTC(2026, 10, 25, 10, minute) }), {
          source: "chat",
          logContent: false,
        }).id,
    );
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});
