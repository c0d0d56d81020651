import { describe, expect, it } from "vitest";
import { dataValueStart } from "./dataValueStart.js";

describe("dataValueStart", () => {
  it("finds the value of data lines, one space stripped, and only within the range", () => {
    expect(dataValueStart("data: x", 0, 7)).toBe(6);
    expect(dataValueStart("data:x", 0, 6)).toBe(5);
    expect(dataValueStart("data:  x", 0, 8)).toBe(6);
    expect(dataValueStart("data:", 0, 5)).toBe(5);
    expect(dataValueStart("data: ", 0, 5)).toBe(5);
    expect(dataValueStart("\ndata: x", 1, 8)).toBe(7);
    expect(dataValueStart("data", 0, 4)).toBe(-1);
    expect(dataValueStart("data:x", 0, 4)).toBe(-1);
    expect(dataValueStart("event: data", 0, 11)).toBe(-1);
    expect(dataValueStart(": data", 0, 6)).toBe(-1);
  });
});
