import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortedError } from "../errors/AbortedError.js";
import { ConnectionError } from "../errors/ConnectionError.js";
import { HttpError } from "../errors/HttpError.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import { TimeoutError } from "../errors/TimeoutError.js";
import { isRetryable, RetryLoop } from "./RetryLoop.js";

const url = "http://127.0.0.1:1/v1/chat/completions";
const refused = () => new ConnectionError("refused", { url });
const http = (status: number, retryAfterMs?: number) =>
  new HttpError(`HTTP ${status}`, { url, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

/** Resolves to whether `pause` settled within `ms` of fake time. */
async function settlesWithin(pause: Promise<void>, ms: number): Promise<boolean> {
  let settled = false;
  void pause.then(() => {
    settled = true;
  });
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("isRetryable", () => {
  it("retries no connection, rate limits and gateway failures, nothing else", () => {
    expect(isRetryable(refused())).toBe(true);
    for (const status of [429, 502, 503, 504]) expect(isRetryable(http(status))).toBe(true);
    for (const status of [400, 401, 404, 500, 501]) expect(isRetryable(http(status))).toBe(false);
    expect(isRetryable(new HttpError("no status", { url }))).toBe(false);
    expect(isRetryable(new ProtocolError("invalid-json", "bad", { url }))).toBe(false);
    expect(isRetryable(new TimeoutError("first-token", 10, "slow", { url }))).toBe(false);
    expect(isRetryable(new AbortedError("stopped", { url }))).toBe(false);
  });
});

describe("RetryLoop", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("numbers the attempts from 1", () => {
    const retries = new RetryLoop(undefined);
    expect(retries.attempt).toBe(0);
    expect([retries.next(), retries.next(), retries.next()]).toEqual([1, 2, 3]);
    expect(retries.attempt).toBe(3);
  });

  it("pauses with backoff before each retry, as many times as allowed", async () => {
    const signal = new AbortController().signal;
    const retries = new RetryLoop({ retries: 2, baseDelayMs: 100, maxDelayMs: 1000 }, () => 1);
    retries.next();
    const first = retries.pauseAfter(refused(), false, signal);
    expect(first).toBeInstanceOf(Promise);
    expect(await settlesWithin(first as Promise<void>, 99)).toBe(false);
    expect(await settlesWithin(first as Promise<void>, 1)).toBe(true);
    retries.next();
    const second = retries.pauseAfter(http(503), false, signal) as Promise<void>;
    expect(await settlesWithin(second, 199)).toBe(false);
    expect(await settlesWithin(second, 1)).toBe(true);
    retries.next();
    // Attempt 3 was the second retry: the retries are used up.
    expect(retries.pauseAfter(refused(), false, signal)).toBeUndefined();
  });

  it("never retries once a token arrived, or an error a retry cannot cure", () => {
    const signal = new AbortController().signal;
    const retries = new RetryLoop(5, () => 0);
    retries.next();
    expect(retries.pauseAfter(refused(), true, signal)).toBeUndefined();
    expect(retries.pauseAfter(http(500), false, signal)).toBeUndefined();
    expect(
      retries.pauseAfter(new ProtocolError("invalid-json", "bad", { url }), false, signal),
    ).toBeUndefined();
    expect(retries.pauseAfter(refused(), false, signal)).toBeInstanceOf(Promise);
  });

  it("does not retry at all with retries: 0", () => {
    const retries = new RetryLoop(0, () => 0);
    retries.next();
    expect(retries.pauseAfter(refused(), false, new AbortController().signal)).toBeUndefined();
  });

  it("waits as long as the server's Retry-After asks, and gives up when it asks for more than the cap", async () => {
    const signal = new AbortController().signal;
    const retries = new RetryLoop({ retries: 3, baseDelayMs: 10, maxDelayMs: 1000 }, () => 1);
    retries.next();
    const pause = retries.pauseAfter(http(429, 700), false, signal) as Promise<void>;
    expect(await settlesWithin(pause, 699)).toBe(false);
    expect(await settlesWithin(pause, 1)).toBe(true);
    retries.next();
    expect(retries.pauseAfter(http(429, 5000), false, signal)).toBeUndefined();
  });

  it("ends the pause early, without rejecting, when the signal aborts", async () => {
    const controller = new AbortController();
    const retries = new RetryLoop({ retries: 1, baseDelayMs: 10_000, maxDelayMs: 10_000 }, () => 1);
    retries.next();
    const pause = retries.pauseAfter(refused(), false, controller.signal) as Promise<void>;
    expect(await settlesWithin(pause, 100)).toBe(false);
    controller.abort();
    expect(await settlesWithin(pause, 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
