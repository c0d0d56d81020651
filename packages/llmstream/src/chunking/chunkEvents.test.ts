import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import { chunkEvents, chunkEventsIterable } from "./chunkEvents.js";
import { collect, streamOf } from "./streams.test-helper.js";

const text = (value: string): StreamEvent => ({ type: "text", text: value });
const reasoning = (value: string): StreamEvent => ({ type: "reasoning", text: value });
const usage: StreamEvent = {
  type: "usage",
  usage: { promptTokens: 3, completionTokens: 5, totalTokens: 8, source: "server" },
};
const toolCall: StreamEvent = { type: "tool_call", index: 0, id: "c1", name: "f", arguments: "{}" };

const input: StreamEvent[] = [
  reasoning("Let me th"),
  reasoning("ink ab"),
  text("The ans"),
  text("wer is 4"),
  toolCall,
  text("2 indeed"),
  usage,
];
const expected: StreamEvent[] = [
  reasoning("Let "),
  reasoning("me "),
  reasoning("think "),
  reasoning("ab"),
  text("The "),
  text("answer "),
  text("is "),
  text("4"),
  toolCall,
  text("2 "),
  text("indeed"),
  usage,
];

describe("chunkEvents", () => {
  it("re-cuts text and reasoning separately and keeps every other event in order", async () => {
    expect(await collect(streamOf(input).pipeThrough(chunkEvents({ by: "word" })))).toEqual(expected);
  });

  it("the iterable form gives the same events", async () => {
    const out: StreamEvent[] = [];
    for await (const event of chunkEventsIterable(input, { by: "word" })) out.push(event);
    expect(out).toEqual(expected);
  });
});
