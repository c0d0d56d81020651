import { describe, expect, it } from "vitest";
import { chunkText, chunkTextIterable } from "./chunkText.js";
import { createFakeTimers } from "./fakeTimers.test-helper.js";
import { collect, streamOf } from "./streams.test-helper.js";

describe("chunkText", () => {
  it("re-cuts a stream of deltas into words and flushes the rest at the end", async () => {
    const stream = streamOf(["Hel", "lo wo", "rld, ", "fine"]).pipeThrough(chunkText({ by: "word" }));
    expect(await collect(stream)).toEqual(["Hello ", "world, ", "fine"]);
  });

  it("releases held text after maxDelayMs when the stream stalls", async () => {
    const timers = createFakeTimers();
    const transform = chunkText({ by: "word", maxDelayMs: 100, _internal: timers });
    const writer = transform.writable.getWriter();
    const reader = transform.readable.getReader();
    const seen: string[] = [];
    const reading = (async () => {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        seen.push(value);
      }
    })();
    await writer.write("Supercalifragi");
    await timers.advance(99);
    expect(seen).toEqual([]);
    await timers.advance(1);
    expect(seen).toEqual(["Supercalifragi"]);
    await writer.write("listic ok");
    await writer.close();
    await reading;
    expect(seen).toEqual(["Supercalifragi", "listic ", "ok"]);
    expect(timers.pending).toBe(0);
  });
});

describe("chunkTextIterable", () => {
  it("re-cuts an async iterable and calls return() on the source when the loop breaks", async () => {
    let returned = false;
    async function* source() {
      try {
        yield "one tw";
        yield "o thr";
        yield "ee four";
      } finally {
        returned = true;
      }
    }
    const out: string[] = [];
    for await (const word of chunkTextIterable(source(), { by: "word" })) {
      out.push(word);
      if (out.length === 2) break;
    }
    expect(out).toEqual(["one ", "two "]);
    expect(returned).toBe(true);
  });

  it("accepts a plain iterable", async () => {
    const out: string[] = [];
    for await (const line of chunkTextIterable(["a\nb", "c\n"], { by: "line" })) out.push(line);
    expect(out).toEqual(["a\n", "bc\n"]);
  });

  it("releases held text after maxDelayMs while the source is slow", async () => {
    const timers = createFakeTimers();
    let release: (() => void) | undefined;
    async function* source() {
      yield "slowwor";
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield "d end";
    }
    const iterator = chunkTextIterable(source(), { by: "word", maxDelayMs: 50, _internal: timers });
    const first = iterator.next();
    await timers.advance(50);
    expect(await first).toEqual({ done: false, value: "slowwor" });
    const second = iterator.next();
    release?.();
    expect(await second).toEqual({ done: false, value: "d " });
    expect(await iterator.next()).toEqual({ done: false, value: "end" });
    expect((await iterator.next()).done).toBe(true);
  });
});
