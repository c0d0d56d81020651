import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "./decodeUtf8.js";

describe("decodeUtf8", () => {
  it("decodes a range of a Buffer or a plain Uint8Array alike, keeping a BOM", () => {
    const bytes = new TextEncoder().encode("\uFEFFdata: é🙂");
    for (const view of [bytes, Buffer.from(bytes)]) {
      expect(decodeUtf8(view, 0, view.length)).toBe("\uFEFFdata: é🙂");
      expect(decodeUtf8(view, 9, view.length)).toBe("é🙂");
      expect(decodeUtf8(view, 4, 4)).toBe("");
    }
  });

  it("decodes any bytes as TextDecoder does, invalid sequences included (property)", () => {
    const reference = new TextDecoder("utf-8", { ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = Math.min(a, b, bytes.length);
        const end = Math.min(Math.max(a, b), bytes.length);
        const expected = reference.decode(bytes.subarray(start, end));
        expect(decodeUtf8(bytes, start, end)).toBe(expected);
        expect(decodeUtf8(Buffer.from(bytes), start, end)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
