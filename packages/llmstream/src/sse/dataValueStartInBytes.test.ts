import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataValueStart } from "./dataValueStart.js";
import { dataValueStartInBytes } from "./dataValueStartInBytes.js";

describe("dataValueStartInBytes", () => {
  it("agrees with dataValueStart on any ASCII line and range (property)", () => {
    const head = fc.constantFrom("data:", "data: ", "data:  ", "dat", "data", "event: data", ": data", "");
    const tail = fc.string({ unit: fc.constantFrom("d", "a", ":", " ", "x"), maxLength: 6 });
    fc.assert(
      fc.property(tail, head, tail, fc.nat(), fc.nat(), (before, middle, after, a, b) => {
        const text = before + middle + after;
        const start = Math.min(a, b, text.length);
        const end = Math.min(Math.max(a, b), text.length);
        expect(dataValueStartInBytes(new TextEncoder().encode(text), start, end)).toBe(
          dataValueStart(text, start, end),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
