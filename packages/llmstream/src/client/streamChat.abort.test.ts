import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LlmstreamError } from "../errors/LlmstreamError.js";
import { TimeoutError } from "../errors/TimeoutError.js";
import type { StreamEvent } from "../types/events.js";
import type { FinishInfo } from "../types/options.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { useMockChat } from "./mockChat.test-helper.js";
import { streamChat } from "./streamChat.js";

const mock = useMockChat();
const { chat } = mock;

describe("abort closes the connection and keeps the partial text", () => {
  it("break out of for await: the server sees the socket close", async () => {
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "30" } });
    const index = mock.server.requests.length;
    let received = "";
    for await (const event of stream) {
      if (event.type === "text") received += event.text;
      if (received.length > 5) break;
    }
    const record = await mock.server.waitForClose(index, { timeoutMs: 2000 });
    expect(record.clientClosedEarly).toBe(true);
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe(received);
  });

  it("breaking out on the done event keeps the finished result (not aborted)", async () => {
    const finished: FinishInfo[] = [];
    const stream = chat("ok", { onFinish: (info) => finished.push(info) });
    for await (const event of stream) if (event.type === "done") break;
    const result = await stream.result;
    expect(result.finishReason).toBe("stop");
    expect(finished).toHaveLength(1);
    expect(finished[0]?.error).toBeUndefined();
  });

  it("breaking out on the error event keeps the rejection with the partial text", async () => {
    const stream = chat("truncated");
    for await (const event of stream) if (event.type === "error") break;
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(error?.code).toBe("truncated");
    expect(error?.partial?.text.length).toBeGreaterThan(0);
  });

  it("an AbortSignal ends the events with done(aborted)", async () => {
    const controller = new AbortController();
    const stream = chat("slow", { signal: controller.signal, headers: { "x-mock-interval-ms": "30" } });
    const index = mock.server.requests.length;
    const events: StreamEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === "text") controller.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "aborted" });
    await mock.server.waitForClose(index, { timeoutMs: 2000 });
    const result = await stream.result;
    expect(result.text).toBe(events.map((e) => (e.type === "text" ? e.text : "")).join(""));
  });

  it(".abort() while awaiting the result resolves with the partial text", async () => {
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "20" } });
    const index = mock.server.requests.length;
    setTimeout(() => stream.abort(), 150);
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text.length).toBeGreaterThan(0);
    expect((await mock.server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
  });

  it("an already aborted signal sends nothing", async () => {
    const before = mock.server.requests.length;
    const result = await chat("ok", { signal: AbortSignal.abort() }).result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe("");
    expect(mock.server.requests.length).toBe(before);
  });

  it("textStream yields only text and cancels on break", async () => {
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "20" } });
    const index = mock.server.requests.length;
    const pieces: string[] = [];
    for await (const text of stream.textStream) {
      pieces.push(text);
      if (pieces.length === 2) break;
    }
    await mock.server.waitForClose(index, { timeoutMs: 2000 });
    expect((await stream.result).text).toBe(pieces.join(""));
  });

  it("a second iteration names the fix", async () => {
    const stream = chat("ok");
    const iterator = stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/iterate it once/);
    await iterator.return?.();
    expect((await stream.result).finishReason).toBe("aborted");
  });

  it("toReadableStream cancels upstream on cancel()", async () => {
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "20" } });
    const index = mock.server.requests.length;
    const reader = stream.toReadableStream().getReader();
    let event = await reader.read();
    while (event.value?.type !== "text") event = await reader.read();
    await reader.cancel();
    expect((await mock.server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
  });
});

describe("timeouts", () => {
  async function timeoutOf(stream: ReturnType<typeof chat>) {
    const error = await stream.result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    return error as TimeoutError;
  }

  it("first-token timeout ignores keep-alive comments and role-only chunks", async () => {
    const started = performance.now();
    const error = await timeoutOf(
      chat("slow-first-token", { timeouts: { firstTokenMs: 300 }, headers: { "x-mock-delay-ms": "3000" } }),
    );
    expect(error.kind).toBe("first-token");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/first-token timeout/);
  });

  it("a slow first token within the limit is fine", async () => {
    const result = await chat("slow-first-token", {
      timeouts: { firstTokenMs: 2000, idleMs: 1000 },
      headers: { "x-mock-delay-ms": "300" },
    }).result;
    expect(result.finishReason).toBe("stop");
    expect(result.metrics.ttftMs).toBeGreaterThanOrEqual(290);
  });

  it("idle timeout fires when tokens stop, keeping the partial text", async () => {
    const index = mock.server.requests.length;
    const error = await timeoutOf(chat("stall", { timeouts: { idleMs: 300 } }));
    expect(error.kind).toBe("idle");
    expect(error.partial?.text.length).toBeGreaterThan(0);
    expect((await mock.server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
  });

  it("idle timeout fires on time when a long first-token timeout is also set", async () => {
    const started = performance.now();
    const error = await timeoutOf(chat("stall", { timeouts: { firstTokenMs: 60_000, idleMs: 300 } }));
    expect(error.kind).toBe("idle");
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("idle timeout does not count time the consumer spends between events", async () => {
    const stream = chat("ok", { timeouts: { idleMs: 100 } });
    for await (const event of stream) {
      if (event.type === "text") await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect((await stream.result).finishReason).toBe("stop");
  });

  it("total timeout bounds the whole request", async () => {
    const error = await timeoutOf(
      chat("slow", { timeouts: { totalMs: 400 }, headers: { "x-mock-interval-ms": "100" } }),
    );
    expect(error.kind).toBe("total");
    expect(error.partial?.text.length).toBeGreaterThan(0);
  });
});

describe("lazy decoding", () => {
  const frame = (content: string) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
  /** A stream over a transport that answers with an event stream of these body pieces. */
  const streamOf = (pieces: (Uint8Array | string)[], onClose = () => {}) =>
    streamChat({
      baseURL: "http://127.0.0.1:9/v1",
      model: "m",
      messages: [],
      transport: async () => ({
        status: 200,
        headers: { "content-type": "text/event-stream" },
        body: {
          async *[Symbol.asyncIterator]() {
            yield* pieces;
          },
        },
        close: onClose,
      }),
    });

  it("decodes only what the consumer asked for: breaking keeps exactly the text it saw", async () => {
    // One network read holds every chunk, so nothing but laziness keeps the rest out of the result.
    const body = new TextEncoder().encode(`${words.map(frame).join("")}data: [DONE]\n\n`);
    let closed = false;
    const stream = streamOf([body], () => {
      closed = true;
    });
    const seen: string[] = [];
    for await (const event of stream) {
      if (event.type === "text") seen.push(event.text);
      if (seen.length === 3) break;
    }
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe(seen.join(""));
    expect(result.metrics.tokenChunks).toBe(3);
    expect(closed).toBe(true);
  });

  it("stamps chunks with the arrival of their read, not with when a slow loop asked for them", async () => {
    const read = (from: number) =>
      new TextEncoder().encode(
        words
          .slice(from, from + 3)
          .map(frame)
          .join(""),
      );
    const stream = streamOf([read(0), read(3), new TextEncoder().encode("data: [DONE]\n\n")]);
    for await (const event of stream) {
      if (event.type === "text") await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const { metrics } = await stream.result;
    expect(metrics.tokenChunks).toBe(6);
    // Five gaps: four inside a read (zero: the chunks arrived together), one between the reads.
    expect(metrics.chunkGaps.count).toBe(5);
    expect(metrics.chunkGaps.p50).toBeLessThan(5);
  });

  it("accepts a custom transport whose body yields strings, split anywhere", async () => {
    const text = `${words.map(frame).join("")}data: [DONE]\n\n`;
    const pieces = text.match(/[\s\S]{1,7}/g) ?? [];
    const result = await streamOf(pieces).result;
    expect(result.text).toBe(words.join(""));
    expect(result.finishReason).toBe("stop");
  });

  it("gives the same events for any split of the body and any line endings (property)", async () => {
    const ending = fc.constantFrom("\n", "\r\n", "\r");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom("Hé", " wörld", "😀", "\n", "", 'a "b"'), ending, fc.boolean()), {
          maxLength: 16,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        // Node's Buffers take the byte-level path for chunks that fit the learned template.
        fc.boolean(),
        async (frames, cuts, asBuffer) => {
          const parts: string[] = [];
          for (const [content, eol, noise] of frames) {
            if (noise) parts.push(`: keep-alive${eol}event: message${eol}`);
            const data = JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });
            parts.push(`data: ${data}${eol}${eol}`);
          }
          parts.push("data: [DONE]\n\n");
          const pieces = splitAt(new TextEncoder().encode(parts.join("")), cuts).map((piece) =>
            asBuffer ? Buffer.from(piece) : piece,
          );
          const stream = streamOf(pieces);
          const texts: string[] = [];
          for await (const event of stream) if (event.type === "text") texts.push(event.text);
          const expected = frames.map(([content]) => content).filter((content) => content !== "");
          expect(texts).toEqual(expected);
          expect((await stream.result).text).toBe(expected.join(""));
        },
      ),
      { numRuns: 300 },
    );
  });
});
