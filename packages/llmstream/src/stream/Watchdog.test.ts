import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TimeoutKind } from "../errors/TimeoutError.js";
import type { Timeouts } from "../types/options.js";
import { Watchdog } from "./Watchdog.js";

/** A watchdog on fake timers, with a token clock the test writes as a stream's accumulator would. */
function watch(timeouts: Timeouts) {
  const clock = {
    startedAt: Date.now(),
    firstTokenAt: undefined as number | undefined,
    lastTokenAt: undefined as number | undefined,
  };
  const fired: [TimeoutKind, number, number][] = [];
  const watchdog = new Watchdog({
    clock,
    timeouts,
    now: () => Date.now(),
    fire: (kind, ms) => fired.push([kind, ms, Date.now() - clock.startedAt]),
  });
  const token = () => {
    clock.firstTokenAt ??= Date.now();
    clock.lastTokenAt = Date.now();
  };
  return { clock, fired, watchdog, token };
}

describe("Watchdog", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires the first-token timeout once when no token arrives in time", () => {
    const { fired, watchdog } = watch({ firstTokenMs: 500 });
    watchdog.start();
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([["first-token", 500, 500]]);
  });

  it("does not fire the first-token timeout once a token arrived", () => {
    const { fired, watchdog, token } = watch({ firstTokenMs: 500 });
    watchdog.start();
    vi.advanceTimersByTime(300);
    token();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fires the idle timeout after a gap while the consumer waits, measured from the last token", () => {
    const { fired, watchdog, token } = watch({ idleMs: 200 });
    watchdog.start();
    // Before the first token only the first-token timeout (unset here) applies: no idle firing.
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    token();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(150);
      token();
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    // Re-armed only when it fires, so it notices within one idle period after the deadline.
    vi.advanceTimersByTime(200);
    expect(fired.map(([kind, ms]) => [kind, ms])).toEqual([["idle", 200]]);
    const [, , at] = fired[0] ?? [];
    expect(at).toBeGreaterThanOrEqual(1000 + 5 * 150 + 200);
    expect(at).toBeLessThanOrEqual(1000 + 5 * 150 + 2 * 200);
  });

  it("does not count idle time while the consumer is busy, and counts again from markWaiting()", () => {
    const { fired, watchdog, token } = watch({ idleMs: 200 });
    watchdog.start();
    token();
    // The consumer took an event and is slow with it: the server is not idle, the consumer is.
    watchdog.waiting = false;
    // Not on a multiple of idleMs: the check that follows comes 50 ms after the consumer is back.
    vi.advanceTimersByTime(5150);
    expect(fired).toEqual([]);
    watchdog.markWaiting();
    const resumedAt = Date.now() - 1_000_000;
    expect(watchdog.resumed).toBe(Date.now());
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(1);
    const [kind, , at] = fired[0] ?? [];
    expect(kind).toBe("idle");
    expect(at).toBeGreaterThanOrEqual(resumedAt + 200);
  });

  it("markWaiting() keeps the moment the consumer started waiting", () => {
    const { watchdog } = watch({ idleMs: 200 });
    watchdog.start();
    watchdog.waiting = false;
    vi.advanceTimersByTime(50);
    watchdog.markWaiting();
    const first = watchdog.resumed;
    vi.advanceTimersByTime(50);
    watchdog.markWaiting();
    expect(watchdog.resumed).toBe(first);
    watchdog.stop();
  });

  it("with both timeouts, watches the first token, then the gaps", () => {
    const { fired, watchdog, token } = watch({ firstTokenMs: 1000, idleMs: 100 });
    watchdog.start();
    vi.advanceTimersByTime(900);
    token();
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(fired.map(([kind]) => kind)).toEqual(["idle"]);
  });

  it("keeps one timer for the first-token and idle timeouts however many tokens arrive", () => {
    const { fired, watchdog, token } = watch({ firstTokenMs: 1000, idleMs: 100 });
    watchdog.start();
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 1000; i++) {
      token();
      watchdog.waiting = false;
      watchdog.markWaiting();
      vi.advanceTimersByTime(1);
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(fired).toEqual([]);
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fires the total timeout even while tokens flow", () => {
    const { fired, watchdog, token } = watch({ idleMs: 100, totalMs: 1000 });
    watchdog.start();
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(50);
      token();
    }
    expect(fired.map(([kind, ms, at]) => [kind, ms, at])).toEqual([["total", 1000, 1000]]);
  });

  it("fires nothing after stop(), and stop() before start() or twice is safe", () => {
    const early = watch({ firstTokenMs: 10 });
    early.watchdog.stop();
    early.watchdog.stop();
    const { fired, watchdog } = watch({ firstTokenMs: 100, idleMs: 50, totalMs: 200 });
    watchdog.start();
    vi.advanceTimersByTime(60);
    watchdog.stop();
    watchdog.stop();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("arms no timer without timeouts", () => {
    const { fired, watchdog } = watch({});
    watchdog.start();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual([]);
  });
});
