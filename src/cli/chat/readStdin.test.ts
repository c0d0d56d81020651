import { closeSync, openSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readPipeWithGrace, readStdin, stdinKind } from "./readStdin.js";

describe("readStdin", () => {
  it("reads to the end and joins a character split across chunks", async () => {
    const bytes = Buffer.from("naïve 🙂 text");
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 8), bytes.subarray(8)];
    expect(await readStdin(Readable.from(chunks))).toBe("naïve 🙂 text");
  });

  it("reads an empty input as an empty string", async () => {
    expect(await readStdin(Readable.from([]))).toBe("");
  });

  it("refuses input over the limit", async () => {
    const input = Readable.from([Buffer.alloc(6), Buffer.alloc(6)]);
    await expect(readStdin(input, { maxBytes: 10 })).rejects.toThrow(/larger than 10 bytes/);
  });
});

describe("readPipeWithGrace", () => {
  it("reads a pipe to its end while it keeps delivering", async () => {
    const input = new PassThrough();
    const read = readPipeWithGrace(input, { graceMs: 200 });
    input.write("first ");
    setTimeout(() => input.end("second"), 50);
    expect(await read).toEqual({ text: "first second", ended: true });
  });

  it("gives up on a pipe nobody writes to after the grace window, and destroys it", async () => {
    const input = new PassThrough();
    const started = performance.now();
    expect(await readPipeWithGrace(input, { graceMs: 50 })).toEqual({ text: "", ended: false });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(input.destroyed).toBe(true);
  });

  it("keeps what arrived when the pipe then goes quiet without closing", async () => {
    const input = new PassThrough();
    const read = readPipeWithGrace(input, { graceMs: 50 });
    input.write("partial");
    expect(await read).toEqual({ text: "partial", ended: false });
  });
});

describe("stdinKind", () => {
  it("never reads a terminal; a file or device is read to its end; anything else is a pipe", () => {
    expect(stdinKind({ isTTY: true, fd: 0 })).toBe("terminal");
    const fd = openSync(fileURLToPath(import.meta.url), "r");
    try {
      expect(stdinKind({ fd })).toBe("file");
    } finally {
      closeSync(fd);
    }
    expect(stdinKind({})).toBe("pipe");
  });
});
