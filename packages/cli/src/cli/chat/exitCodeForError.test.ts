import {
  AbortedError,
  ConnectionError,
  HttpError,
  ProtocolError,
  ServerError,
  TimeoutError,
  TruncatedError,
} from "llmstream";
import { describe, expect, it } from "vitest";
import { exitCodeForError } from "./exitCodeForError.js";

describe("exitCodeForError", () => {
  it("maps each error class to its documented exit code", () => {
    expect(exitCodeForError(new ConnectionError("refused"))).toBe(3);
    expect(exitCodeForError(new HttpError("502", { status: 502 }))).toBe(4);
    expect(exitCodeForError(new TimeoutError("idle", 100, "idle"))).toBe(5);
    expect(exitCodeForError(new ProtocolError("invalid-json", "bad"))).toBe(6);
    expect(exitCodeForError(new TruncatedError("cut"))).toBe(6);
    expect(exitCodeForError(new ServerError("oops"))).toBe(6);
    expect(exitCodeForError(new AbortedError("stop"))).toBe(130);
  });

  it("gives 1 for anything that is not an llmstream error", () => {
    expect(exitCodeForError(new TypeError("bug"))).toBe(1);
    expect(exitCodeForError("string")).toBe(1);
  });
});
