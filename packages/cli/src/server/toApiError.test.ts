import { ConnectionError, HttpError, TimeoutError, TruncatedError } from "llmstream";
import { describe, expect, it } from "vitest";
import { toApiError } from "./toApiError.js";

describe("toApiError", () => {
  it("maps each failure to the status a client should see", () => {
    const cases: [unknown, number][] = [
      [new HttpError("x", { status: 400 }), 400],
      [new HttpError("x", { status: 401 }), 401],
      [new HttpError("x", { status: 404 }), 404],
      [new HttpError("x", { status: 429 }), 429],
      [new HttpError("x", { status: 503 }), 502],
      [new ConnectionError("refused"), 502],
      [new TimeoutError("idle", 10, "idle"), 504],
      [new TruncatedError("cut"), 502],
      [new Error("bug"), 500],
    ];
    for (const [error, status] of cases) expect(toApiError(error, "u").status).toBe(status);
  });

  it("passes the upstream's Retry-After on, or says 1 second", () => {
    expect(toApiError(new HttpError("x", { status: 429, retryAfterMs: 2500 }), "u").headers).toEqual({
      "retry-after": "3",
    });
    expect(toApiError(new HttpError("x", { status: 429 }), "u").headers).toEqual({ "retry-after": "1" });
  });

  it("names the timeouts a 504 advises raising as the server's settings call them, when told", () => {
    const error = new TimeoutError(
      "first-token",
      500,
      "No first token after 500 ms: raise timeouts.firstTokenMs (or timeouts.idleMs, timeouts.totalMs)",
    );
    expect(toApiError(error, "a").message).toContain("raise timeouts.firstTokenMs");
    const renamed = toApiError(error, "a", {
      firstTokenMs: "--upstream-first-token-timeout",
      idleMs: "--idle",
    });
    expect(renamed.status).toBe(504);
    expect(renamed.message).toBe(
      "Upstream a timed out: No first token after 500 ms: raise --upstream-first-token-timeout (or --idle, timeouts.totalMs)",
    );
  });
});
