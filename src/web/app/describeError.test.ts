import { describe, expect, it } from "vitest";
import { ConnectionError } from "../../errors/ConnectionError.js";
import { HttpError } from "../../errors/HttpError.js";
import { TimeoutError } from "../../errors/TimeoutError.js";
import { TruncatedError } from "../../errors/TruncatedError.js";
import { describeError } from "./describeError.js";

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
});
