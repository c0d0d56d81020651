import { describe, expect, it } from "vitest";
import { ResponseAccumulator } from "./ResponseAccumulator.js";

const newAccumulator = () =>
  new ResponseAccumulator({ now: () => performance.now(), thinkTags: "auto", promptChars: 4, model: "m" });

describe("ResponseAccumulator results", () => {
  it("hands out text and reasoning that behave as plain string properties", () => {
    const acc = newAccumulator();
    acc.chunk();
    acc.reasoning("Let me think. ");
    acc.text("Hello, ");
    acc.text("wörld 😀");
    acc.end();
    const result = acc.finishEvents();
    expect(result.text).toBe("Hello, wörld 😀");
    expect(result.reasoning).toBe("Let me think. ");
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["text", "reasoning"]));
    expect({ ...result }.text).toBe("Hello, wörld 😀");
    expect(JSON.parse(JSON.stringify(result)).reasoning).toBe("Let me think. ");
    let last: unknown;
    for (let event = acc.queue.shift(); event !== undefined; event = acc.queue.shift()) last = event;
    const done = last as { type: string; text: string; reasoning: string };
    expect(done.type).toBe("done");
    expect(done.text).toBe("Hello, wörld 😀");
    expect(Object.keys(done)[0]).toBe("type");
    result.text = "changed";
    expect(result.text).toBe("changed");
    expect(done.text).toBe("Hello, wörld 😀");
  });

  it("decodes a result's text once, when it is first read", () => {
    const acc = newAccumulator();
    acc.chunk();
    acc.text("abc");
    acc.end();
    const result = acc.finishEvents();
    const descriptor = Object.getOwnPropertyDescriptor(result, "text");
    expect(descriptor?.get).toBeTypeOf("function");
    expect(result.text).toBe("abc");
    expect(Object.getOwnPropertyDescriptor(result, "text")).toMatchObject({ value: "abc", writable: true });
  });
});
