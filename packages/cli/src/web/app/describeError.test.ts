import { ConnectionError, HttpError, ServerError, TimeoutError, TruncatedError } from "llmstream";
import { describe, expect, it } from "vitest";
import { API_KEY_NEEDED, API_KEY_REFUSED, describeError } from "./describeError.js";

describe("describeError", () => {
  it("says what happened for each kind of failure", () => {
    expect(describeError(new ConnectionError("Could not connect to http://x/v1: refused"))).toBe(
      "Connection failed: Could not connect to http://x/v1: refused. Is the server running?",
    );
    expect(
      describeError(new HttpError("HTTP 429", { status: 429, serverMessage: "Too many requests" })),
    ).toBe("HTTP 429: Too many requests");
    expect(describeError(new TimeoutError("idle", 1000, "No token for 1000 ms"))).toBe(
      "Timed out: No token for 1000 ms",
    );
    expect(describeError(new TruncatedError("The stream ended without a finish reason"))).toBe(
      "The answer was cut off: The stream ended without a finish reason",
    );
    expect(describeError(new Error("boom"))).toBe("Unexpected error: boom");
  });

  it("a 401 says the server needs an API key, not just the status", () => {
    const error = new HttpError("HTTP 401", { status: 401, serverMessage: "Missing or wrong API key" });
    expect(describeError(error)).toBe(`HTTP 401: ${API_KEY_NEEDED}`);
    expect(API_KEY_NEEDED).toMatch(/needs an API key/);
    // With a key sent, the same 401 says that key was refused.
    expect(describeError(error, true)).toBe(`HTTP 401: ${API_KEY_REFUSED}`);
    expect(API_KEY_REFUSED).toMatch(/refused this API key/);
  });

  it("names what happened behind llmstream serve from the in-band error's code", () => {
    const relayed = (serverCode: string | undefined, serverMessage: string) =>
      describeError(
        new ServerError(`The server reported an error mid-stream: ${serverMessage}`, {
          serverMessage,
          ...(serverCode === undefined ? {} : { serverCode }),
        }),
      );
    expect(relayed("upstream_truncated", "Upstream u ended the answer early: no finish reason")).toBe(
      "The answer was cut off: Upstream u ended the answer early: no finish reason",
    );
    expect(relayed("upstream_unreachable", "Upstream u: the connection failed: reset")).toBe(
      "Connection to the model server failed: Upstream u: the connection failed: reset",
    );
    expect(relayed("upstream_timeout", "Upstream u timed out: idle")).toBe(
      "Timed out: Upstream u timed out: idle",
    );
    expect(relayed(undefined, "Sorry")).toBe("The server reported an error: Sorry");
    expect(relayed("server_error", "Sorry")).toBe("The server reported an error: Sorry");
  });
});
