import { describe, expect, it } from "vitest";
import { sleep } from "./sleep.js";

describe("sleep", () => {
  it("waits the time given", async () => {
    const start = performance.now();
    await sleep(30, new AbortController().signal);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  it("resolves early when the signal aborts, and at once when it already has", async () => {
    const controller = new AbortController();
    const start = performance.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    await sleep(10_000, controller.signal);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
