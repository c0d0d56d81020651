import { describe, expect, it } from "vitest";
import { isBlankLine } from "./isBlankLine.js";

describe("isBlankLine", () => {
  it("is true for spaces, tabs and CRs only, within the given range", () => {
    expect(isBlankLine("")).toBe(true);
    expect(isBlankLine(" \t\r")).toBe(true);
    expect(isBlankLine(' {"a":1}')).toBe(false);
    expect(isBlankLine("\n")).toBe(false);
    expect(isBlankLine('x  \t{"a":1}', 1, 4)).toBe(true);
    expect(isBlankLine('x  \t{"a":1}', 1, 5)).toBe(false);
  });
});
