import { describe, expect, it } from "vitest";
import { serverMessageFromBody } from "./serverErrorMessage.js";

describe("serverMessageFromBody", () => {
  it.each([
    ['{"error":{"message":"model not loaded","type":"x"}}', "application/json", "model not loaded"],
    [
      '{"error":"model \\"llama3\\" not found, try pulling it first"}',
      "application/json",
      'model "llama3" not found, try pulling it first',
    ],
    ['{"message":"Bad things"}', "application/json", "Bad things"],
    ['{"detail":"Not Found"}', "application/json", "Not Found"],
    [
      "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
      "text/html",
      "502 Bad Gateway",
    ],
    ["<!DOCTYPE html><h1>Service &amp; Unavailable</h1>", "text/html", "Service & Unavailable"],
    ["upstream connect error\n", "text/plain", "upstream connect error"],
  ])("finds the message in %s", (body, type, expected) => {
    expect(serverMessageFromBody(body, type)).toBe(expected);
  });

  it("shortens long messages to one line", () => {
    const message = serverMessageFromBody(`${"word ".repeat(200)}\nmore`, "text/plain") ?? "";
    expect(message.length).toBeLessThanOrEqual(300);
    expect(message).not.toMatch(/\n/);
    expect(message.endsWith("…")).toBe(true);
  });

  it("returns undefined for an empty body", () => {
    expect(serverMessageFromBody("  ", "text/plain")).toBeUndefined();
  });
});
