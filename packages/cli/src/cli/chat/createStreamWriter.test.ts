import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createStreamWriter } from "./createStreamWriter.js";

describe("createStreamWriter", () => {
  it("waits for drain when the stream's buffer is full", async () => {
    const received: string[] = [];
    let release: (() => void) | undefined;
    const stream = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        release = callback;
      },
    });
    const writer = createStreamWriter(stream);
    let settled = false;
    const pending = writer.write("more than four bytes").then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release?.();
    await pending;
    expect(settled).toBe(true);
    expect(received).toEqual(["more than four bytes"]);
  });

  it("turns a stream error into a quiet broken state and reports it once", async () => {
    let brokenCalls = 0;
    const stream = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const writer = createStreamWriter(stream, { onBroken: () => (brokenCalls += 1) });
    await writer.write("hello");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.broken).toBe(true);
    await writer.write("ignored");
    expect(brokenCalls).toBe(1);
  });
});
