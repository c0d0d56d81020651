import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readStdin } from "./readStdin.js";

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
