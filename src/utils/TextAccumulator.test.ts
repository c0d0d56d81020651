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
