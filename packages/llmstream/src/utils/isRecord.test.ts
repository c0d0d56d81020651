import { describe, expect, it } from "vitest";
import { isRecord } from "./isRecord.js";

describe("isRecord", () => {
  it("accepts objects and arrays, rejects null and primitives", () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord(undefined)).toBe(false);
    expect(isRecord("x")).toBe(false);
    expect(isRecord(1)).toBe(false);
  });
});
