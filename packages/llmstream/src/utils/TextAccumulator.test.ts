import { describe, expect, it } from "vitest";
import { TextAccumulator } from "./TextAccumulator.js";

describe("TextAccumulator", () => {
  it("returns exactly the appended text across block boundaries", () => {
    const acc = new TextAccumulator();
    const parts: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const piece = i % 3 === 0 ? "👩‍💻" : `w${i} `;
      parts.push(piece);
      acc.append(piece);
    }
    expect(acc.toString()).toBe(parts.join(""));
    expect(acc.length).toBe(parts.join("").length);
    acc.append("!");
    expect(acc.toString()).toBe(`${parts.join("")}!`);
    acc.clear();
    expect(acc.toString()).toBe("");
  });
});

describe("TextAccumulator with large and multi-byte deltas", () => {
  it("keeps a delta larger than a block, and characters at block edges, intact", () => {
    const acc = new TextAccumulator();
    const big = "你好👩‍💻é".repeat(30_000); // ~420 KB of UTF-8 in one delta
    acc.append("a");
    acc.append(big);
    for (let i = 0; i < 70_000; i++) acc.append(i % 2 === 0 ? "é" : "👍🏽");
    const expected = `a${big}${Array.from({ length: 70_000 }, (_, i) => (i % 2 === 0 ? "é" : "👍🏽")).join("")}`;
    expect(acc.toString()).toBe(expected);
    expect(acc.length).toBe(expected.length);
  });
});

describe("TextAccumulator keeps a U+FEFF", () => {
  it("at the start of the text and at the start of a later block", () => {
    const first = new TextAccumulator();
    first.append("\uFEFFhello");
    expect(first.toString()).toBe("\uFEFFhello");
    const later = new TextAccumulator();
    const parts = [...Array.from({ length: 400 }, () => "x".repeat(40)), "\uFEFFy"];
    for (const part of parts) later.append(part);
    expect(later.toString()).toBe(parts.join(""));
  });
});

describe("TextAccumulator ASCII fast path", () => {
  it("keeps any mix of ASCII, partly ASCII and multi-byte deltas intact, at any block fill (property)", async () => {
    const fc = (await import("fast-check")).default;
    const unit = fc.constantFrom("a", " ", "~", "\n", "\u007f", "é", "你", "😀", "\u0080");
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit, maxLength: 40 }), { maxLength: 60 }),
        fc.nat(65_536),
        (deltas, fill) => {
          const acc = new TextAccumulator();
          // Fill the first block to an arbitrary level so deltas land on its edge.
          const padding = "p".repeat(fill);
          acc.append(padding);
          for (const delta of deltas) acc.append(delta);
          const expected = padding + deltas.join("");
          expect(acc.toString()).toBe(expected);
          expect(acc.length).toBe(expected.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
