import type { ChatResult } from "llmstream";
import { HttpError, ServerError, TruncatedError } from "llmstream";
import { describe, expect, it } from "vitest";
import { apportionTokens, classifyError, createRequestRecorder } from "./createRequestRecorder.js";

function result(overrides: Partial<ChatResult> & { tokens: number; firstChunkAt?: number }): ChatResult {
  return {
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: "stop",
    rawFinishReason: "stop",
    usage: {
      promptTokens: 7,
      completionTokens: overrides.tokens,
      totalTokens: 7 + overrides.tokens,
      source: "server",
    },
    metrics: {
      startedAtEpochMs: 0,
      endAt: 0,
      e2eMs: 0,
      chunks: 0,
      tokenChunks: 0,
      chunkGaps: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 },
      attempts: 1,
      ...(overrides.firstChunkAt === undefined ? {} : { firstChunkAt: overrides.firstChunkAt }),
    },
    warnings: [],
    ...overrides,
  };
}

describe("createRequestRecorder", () => {
  it("takes the first text or reasoning event as the first token, never the role-only chunk", () => {
    const recorder = createRequestRecorder({ index: 0, prompt: 0, sentAt: 100 });
    // The role chunk arrived at +5 ms (the core's firstChunkAt) but makes no event.
    recorder.event({ type: "reasoning", text: "hmm" }, 300);
    recorder.event({ type: "text", text: "Hi" }, 310);
    recorder.event({ type: "text", text: "!" }, 320);
    const record = recorder.finish({
      endAt: 330,
      result: result({ tokens: 3, firstChunkAt: 5 }),
      endMarkerSeen: true,
    });
    expect(record).toMatchObject({
      ok: true,
      sentAt: 100,
      firstChunkAt: 105,
      firstTokenAt: 300,
      firstAnswerTokenAt: 310,
      endAt: 330,
      chunkTimes: [300, 310, 320],
      chunkTokens: [1, 1, 1],
      chunkTokenSource: "exact",
      outputTokens: 3,
      promptTokens: 7,
      usageSource: "server",
      finishReason: "stop",
    });
  });

  it("fails a stream that never sent data: [DONE] as truncated", () => {
    const recorder = createRequestRecorder({ index: 1, prompt: 0, sentAt: 0 });
    recorder.event({ type: "text", text: "Hi" }, 10);
    const record = recorder.finish({ endAt: 20, result: result({ tokens: 1 }), endMarkerSeen: false });
    expect(record.ok).toBe(false);
    expect(record.errorClass).toBe("truncated");
  });

  it("keeps a failed request's partial counts but marks it failed with its class and status", () => {
    const recorder = createRequestRecorder({ index: 2, prompt: 1, sentAt: 0, scheduledAt: -1 });
    recorder.event({ type: "text", text: "Hi" }, 10);
    const error = new ServerError("The server reported an error mid-stream: boom", { serverMessage: "boom" });
    error.partial = result({ tokens: 1 });
    const record = recorder.finish({ endAt: 20, error });
    expect(record).toMatchObject({ ok: false, errorClass: "in_stream", outputTokens: 1, scheduledAt: -1 });
    const http = createRequestRecorder({ index: 3, prompt: 0, sentAt: 0 }).finish({
      endAt: 1,
      error: new HttpError("HTTP 503", { status: 503 }),
    });
    expect(http).toMatchObject({ ok: false, errorClass: "http", status: 503, outputTokens: 0 });
  });
});

describe("classifyError", () => {
  it("maps the core's error codes to the benchmark's classes", () => {
    expect(classifyError(new TruncatedError("cut"))).toBe("truncated");
    expect(classifyError(new ServerError("x"))).toBe("in_stream");
    expect(classifyError(new Error("x"))).toBe("other");
  });
});

describe("apportionTokens", () => {
  it("gives one token per chunk when the counts match", () => {
    expect(apportionTokens([3, 9, 1], 3)).toEqual({ tokens: [1, 1, 1], source: "exact" });
  });

  it("spreads other totals by characters and always adds up", () => {
    const { tokens, source } = apportionTokens([12, 4, 8], 6);
    expect(source).toBe("apportioned");
    expect(tokens).toEqual([3, 1, 2]);
    for (const total of [0, 1, 5, 17, 100]) {
      expect(apportionTokens([5, 1, 0, 9, 2], total).tokens.reduce((a, b) => a + b, 0)).toBe(total);
    }
    expect(apportionTokens([], 4)).toEqual({ tokens: [], source: "none" });
  });
});
