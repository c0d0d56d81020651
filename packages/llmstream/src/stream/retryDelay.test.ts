import { describe, expect, it } from "vitest";
import { parseRetryAfter, resolveRetryPolicy, retryDelay } from "./retryDelay.js";

describe("retry delays", () => {
  const policy = resolveRetryPolicy({ retries: 5, baseDelayMs: 100, maxDelayMs: 1000 });

  it("backs off exponentially with full jitter, capped", () => {
    expect(retryDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(retryDelay(10, policy, undefined, () => 1)).toBe(1000);
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(200);
  });

  it("waits at least as long as Retry-After, and gives up when it exceeds the cap", () => {
    expect(retryDelay(1, policy, 700, () => 1)).toBe(700);
    expect(retryDelay(1, policy, 5000, () => 1)).toBeUndefined();
  });

  it("parses Retry-After seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("defaults to 2 retries and accepts a plain number", () => {
    expect(resolveRetryPolicy(undefined).retries).toBe(2);
    expect(resolveRetryPolicy(0).retries).toBe(0);
  });
});
