import { describe, expect, it } from "vitest";
import { parseSince } from "./parseSince.js";

describe("parseSince", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");

  it("reads durations back from now", () => {
    expect(parseSince("30s", now)).toBe(now - 30_000);
    expect(parseSince("15m", now)).toBe(now - 900_000);
    expect(parseSince("1h", now)).toBe(Date.parse("2026-11-25T11:00:00Z"));
    expect(parseSince("2d", now)).toBe(Date.parse("2026-11-23T12:00:00Z"));
    expect(parseSince("1w", now)).toBe(Date.parse("2026-11-18T12:00:00Z"));
    expect(parseSince("1.5h", now)).toBe(Date.parse("2026-11-25T10:30:00Z"));
  });

  it("reads ISO dates and rejects anything else with a hint", () => {
    expect(parseSince("2026-11-25T10:00:00Z", now)).toBe(Date.parse("2026-11-25T10:00:00Z"));
    expect(parseSince("2026-11-25", now)).toBe(Date.parse("2026-11-25"));
    expect(() => parseSince("yesterday", now)).toThrow(/duration like 30m, 1h/);
    expect(() => parseSince("5y", now)).toThrow(TypeError);
  });
});
