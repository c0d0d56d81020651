import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import { createChatStream } from "./createChatStream.js";
import type { DeltaSource } from "./DeltaSource.js";

const request = {
  url: "engine://test",
  protocol: "engine" as const,
  model: "m",
  messages: [{ role: "user" as const, content: "hi" }],
};

/** A step-wise source like the engine's: each step pushes one token after a macrotask. */
function tokens(words: string[], finish: string | undefined): DeltaSource {
  return ({ sink, onResponse }) => ({
    async *[Symbol.asyncIterator]() {
      onResponse();
      for (const word of words) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        sink.chunk();
        sink.text(word, 1);
        yield;
      }
      if (finish !== undefined) {
        sink.finish(finish);
        sink.end();
      }
    },
  });
}

const shape = (event: StreamEvent) =>
  event.type === "done"
    ? { type: event.type, text: event.text, finishReason: event.finishReason, usage: event.usage }
    : event.type === "error"
      ? { type: event.type, code: event.code }
      : event;

describe("createChatStream", () => {
  it.each([
    ["finished", "stop"],
    ["truncated", undefined],
  ])("forEach over a step-wise source gives the events for await gives (%s)", async (_, finish) => {
    const words = ["Once", " upon", " a", " time"];
    const viaForEach: StreamEvent[] = [];
    const forEachOutcome = await createChatStream({ source: tokens(words, finish), request })
      .forEach((event) => {
        viaForEach.push(event);
      })
      .then(
        (result) => result.finishReason,
        (error: { code: string }) => error.code,
      );
    const viaForAwait: StreamEvent[] = [];
    const stream = createChatStream({ source: tokens(words, finish), request });
    for await (const event of stream) viaForAwait.push(event);
    const forAwaitOutcome = await stream.result.then(
      (result) => result.finishReason,
      (error: { code: string }) => error.code,
    );
    expect(viaForEach.filter((e) => e.type === "text").map((e) => (e as { text: string }).text)).toEqual(
      words,
    );
    expect(viaForEach.map(shape)).toEqual(viaForAwait.map(shape));
    expect(forEachOutcome).toBe(forAwaitOutcome);
    expect(forEachOutcome).toBe(finish === undefined ? "truncated" : "stop");
  });
});
