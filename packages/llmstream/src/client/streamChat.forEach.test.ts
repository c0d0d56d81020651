import { describe, expect, it } from "vitest";
import type { LlmstreamError } from "../errors/LlmstreamError.js";
import { TimeoutError } from "../errors/TimeoutError.js";
import type { StreamEvent } from "../types/events.js";
import type { StreamChatOptions } from "../types/options.js";
import type { ChatResult } from "../types/result.js";
import { createFetchTransport } from "./fetchTransport.js";
import { useMockChat } from "./mockChat.test-helper.js";

const mock = useMockChat();
const { chat } = mock;

/** An event without its timings and error object, which differ from run to run. */
function comparable(event: StreamEvent): unknown {
  if (event.type === "done") {
    const { text, reasoning, toolCalls, finishReason, usage } = event;
    return { type: "done", text, reasoning, toolCalls, finishReason, usage };
  }
  if (event.type === "error") return { type: "error", code: event.code, message: event.message };
  return event;
}

/** The events and the outcome (result or error) of one way of reading a stream. */
async function readWith(
  mode: "forEach" | "for await",
  scenario: string,
  extra: Partial<StreamChatOptions> = {},
): Promise<{ events: unknown[]; outcome: unknown }> {
  const stream = chat(scenario, extra);
  const events: StreamEvent[] = [];
  let read: Promise<ChatResult>;
  if (mode === "forEach") {
    read = stream.forEach((event) => {
      events.push(event);
    });
  } else {
    read = (async () => {
      for await (const event of stream) events.push(event);
      return stream.result;
    })();
  }
  const outcome = await read.then(
    (result) => ({ text: result.text, finishReason: result.finishReason, usage: result.usage }),
    (error: LlmstreamError) => ({ code: error.code, partial: error.partial?.text }),
  );
  return { events: events.map(comparable), outcome };
}

describe("forEach", () => {
  const openAi = [
    "ok",
    "vllm-multi-token",
    "llamacpp",
    "reasoning-content",
    "think-tags",
    "tool-calls",
    "split-bytes",
    "crlf",
    "multiline-data",
    "event-fields",
    "no-done",
    "truncated",
    "reset",
    "event-error",
    "error-object",
    "invalid-json",
    "http-500-json",
  ];
  it.each(openAi)("gives the same events and outcome as for await: %s", async (scenario) => {
    const viaForEach = await readWith("forEach", scenario);
    expect(viaForEach.events.length).toBeGreaterThan(0);
    expect(viaForEach).toEqual(await readWith("for await", scenario));
  });

  it.each([
    "ollama-thinking",
    "ollama-tools",
  ])("gives the same events as for await: Ollama native %s", async (scenario) => {
    const extra = { protocol: "ollama" as const, baseURL: `${mock.server.url}/s/${scenario}` };
    const viaForEach = await readWith("forEach", scenario, extra);
    expect(viaForEach.events.length).toBeGreaterThan(0);
    expect(viaForEach).toEqual(await readWith("for await", scenario, extra));
  });

  it("gives the same events over a transport that can only be iterated (fetch)", async () => {
    const extra = { transport: createFetchTransport() };
    const viaForEach = await readWith("forEach", "ok", extra);
    expect(viaForEach).toEqual(await readWith("for await", "ok", extra));
  });

  it("hands each token over inside the network read that carried it, where for await cannot", async () => {
    // A stack that reaches down to Node's socket read callback proves the listener ran inside that
    // read, with no promise or tick in between; for-await consumers always run from the microtask queue.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.POSITIVE_INFINITY;
    try {
      const insideRead = () => new Error("where").stack?.includes("onStreamRead") === true;
      const slow = { headers: { "x-mock-interval-ms": "5" } };
      const viaForEach: boolean[] = [];
      await chat("slow", slow).forEach((event) => {
        if (event.type === "text") viaForEach.push(insideRead());
      });
      const viaForAwait: boolean[] = [];
      for await (const event of chat("slow", slow)) {
        if (event.type === "text") viaForAwait.push(insideRead());
      }
      expect(viaForEach.length).toBeGreaterThan(10);
      // The first token may come with the response headers, through the opening step.
      expect(viaForEach.slice(1).every(Boolean)).toBe(true);
      expect(viaForAwait.some(Boolean)).toBe(false);
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  it("a throwing listener closes the request, rejects with what it threw, and the result keeps the text", async () => {
    const index = mock.server.requests.length;
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "20" } });
    const bug = new Error("listener bug");
    let seen = "";
    const outcome = await stream
      .forEach((event) => {
        if (event.type !== "text") return;
        seen += event.text;
        if (seen.length > 5) throw bug;
      })
      .catch((error: unknown) => error);
    expect(outcome).toBe(bug);
    expect((await mock.server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe(seen);
  });

  it("abort() from inside the listener ends with done(aborted) and the text seen", async () => {
    const index = mock.server.requests.length;
    const stream = chat("slow", { headers: { "x-mock-interval-ms": "20" } });
    let seen = "";
    const events: StreamEvent[] = [];
    const result = await stream.forEach((event) => {
      events.push(event);
      if (event.type !== "text") return;
      seen += event.text;
      if (seen.length > 5) stream.abort();
    });
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe(seen);
    expect(events.at(-1)?.type).toBe("done");
    expect((await mock.server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
  });

  it("the idle timeout fires while forEach waits, keeping the partial text", async () => {
    const events: StreamEvent[] = [];
    const error = await chat("stall", { timeouts: { idleMs: 200 } })
      .forEach((event) => {
        events.push(event);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe("idle");
    expect((error as TimeoutError).partial?.text.length).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe("error");
  });

  it("the first-token timeout fires while forEach waits", async () => {
    const error = await chat("slow-first-token", {
      timeouts: { firstTokenMs: 150 },
      headers: { "x-mock-delay-ms": "2000" },
    })
      .forEach(() => {})
      .catch((e: unknown) => e);
    expect((error as TimeoutError).kind).toBe("first-token");
  });

  it("reads a stream once: forEach after iterating rejects, iterating after forEach throws", async () => {
    const iterated = chat("ok");
    const iterator = iterated[Symbol.asyncIterator]();
    await expect(iterated.forEach(() => {})).rejects.toThrow(/iterate it once/);
    await iterator.return?.();

    const read = chat("ok");
    const reading = read.forEach(() => {});
    expect(() => read[Symbol.asyncIterator]()).toThrow(/iterate it once/);
    expect((await reading).finishReason).toBe("stop");
  });
});
