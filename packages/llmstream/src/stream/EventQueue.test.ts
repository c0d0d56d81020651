import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import { EventQueue } from "./EventQueue.js";

const text = (t: string): StreamEvent => ({ type: "text", text: t });

describe("EventQueue", () => {
  it("hands events out in order, across refills, and empties on clear", () => {
    const queue = new EventQueue();
    expect(queue.shift()).toBeUndefined();
    queue.push(text("a"));
    queue.push(text("b"));
    expect(queue.length).toBe(2);
    expect(queue.shift()).toEqual(text("a"));
    queue.push(text("c"));
    expect(queue.shift()).toEqual(text("b"));
    expect(queue.shift()).toEqual(text("c"));
    expect(queue.shift()).toBeUndefined();
    for (let i = 0; i < 100; i++) queue.push(text(String(i)));
    expect(queue.shift()).toEqual(text("0"));
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
    queue.push(text("d"));
    expect(queue.shift()).toEqual(text("d"));
  });
});
