import { HttpError, TruncatedError } from "llmstream";
import { describe, expect, it } from "vitest";
import { serializeEvent } from "./serializeEvent.js";

describe("serializeEvent", () => {
  it("writes text, reasoning and tool calls as they are", () => {
    expect(JSON.parse(serializeEvent({ type: "text", text: "hé\n" }))).toEqual({
      type: "text",
      text: "hé\n",
    });
    expect(JSON.parse(serializeEvent({ type: "reasoning", text: "hmm" }))).toEqual({
      type: "reasoning",
      text: "hmm",
    });
    const call = { type: "tool_call", index: 0, id: "c1", name: "f", arguments: '{"a":1}' } as const;
    expect(JSON.parse(serializeEvent(call))).toEqual(call);
  });

  it("writes an error as code, message and status only", () => {
    const error = new HttpError("Server answered 502", { status: 502, url: "http://x" });
    const line = serializeEvent({ type: "error", code: "http", message: error.message, status: 502, error });
    expect(JSON.parse(line)).toEqual({
      type: "error",
      code: "http",
      message: "Server answered 502",
      status: 502,
    });
  });

  it("leaves status out when there is none", () => {
    const error = new TruncatedError("cut");
    expect(JSON.parse(serializeEvent({ type: "error", code: "truncated", message: "cut", error }))).toEqual({
      type: "error",
      code: "truncated",
      message: "cut",
    });
  });
});
