import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import { createFakeTimers } from "./fakeTimers.test-helper.js";
import { smoothEvents, smoothEventsIterable } from "./smoothEvents.js";
import { collect, streamOf } from "./streams.test-helper.js";

const text = (value: string): StreamEvent => ({ type: "text", text: value });
const done = { type: "done" } as unknown as StreamEvent;
const answer = ["Hel", "lo, ", "wor", "ld! 👩‍", "💻 ", "我们是", "学生。"];

describe("smoothEvents", () => {
  it("types a burst out within the lag bound, and done comes last", async () => {
    const timers = createFakeTimers();
    const transform = smoothEvents({ maxLagMs: 150, _internal: timers });
    const writer = transform.writable.getWriter();
    const seen: { at: number; event: StreamEvent }[] = [];
    const reader = transform.readable.getReader();
    const reading = (async () => {
      while (true) {
        const { done: end, value } = await reader.read();
        if (end) return;
        seen.push({ at: timers.now(), event: value });
      }
    })();
    for (const piece of answer) await writer.write(text(piece));
    await writer.write(done);
    const closing = writer.close();
    for (let i = 0; i < 40 && timers.pending > 0; i++) await timers.advance(5);
    await closing;
    await reading;
    expect(seen.map((e) => (e.event.type === "text" ? e.event.text : "")).join("")).toBe(answer.join(""));
    expect(seen.at(-1)?.event).toBe(done);
    expect(seen.length).toBeGreaterThan(3); // paced, not all at once
    expect(Math.max(...seen.map((e) => e.at))).toBeLessThanOrEqual(150);
  });

  it("passes events through untouched and without timers when disabled", async () => {
    const events = [...answer.map(text), done];
    const out = await collect(streamOf(events).pipeThrough(smoothEvents({ enabled: false })));
    expect(out).toEqual(events);
    expect(out[0]).toBe(events[0]);
  });
});

describe("smoothEventsIterable", () => {
  it("types an async iterable out in order within the lag bound", async () => {
    const timers = createFakeTimers();
    async function* source() {
      for (const piece of answer) yield text(piece);
      yield done;
    }
    const seen: { at: number; event: StreamEvent }[] = [];
    const consuming = (async () => {
      for await (const event of smoothEventsIterable(source(), { _internal: timers })) {
        seen.push({ at: timers.now(), event });
      }
    })();
    for (let i = 0; i < 40; i++) await timers.advance(5);
    await consuming;
    expect(seen.map((e) => (e.event.type === "text" ? e.event.text : "")).join("")).toBe(answer.join(""));
    expect(seen.at(-1)?.event).toBe(done);
    expect(Math.max(...seen.map((e) => e.at))).toBeLessThanOrEqual(150);
  });

  it("calls return() on the source when the loop breaks", async () => {
    let returned = false;
    async function* source() {
      try {
        for (const piece of answer) yield text(piece);
      } finally {
        returned = true;
      }
    }
    for await (const event of smoothEventsIterable(source(), { enabled: false })) {
      expect(event.type).toBe("text");
      break;
    }
    expect(returned).toBe(true);
    returned = false;
    for await (const _ of smoothEventsIterable(source())) break;
    expect(returned).toBe(true);
  });
});
