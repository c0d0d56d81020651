import { describe, expect, it } from "vitest";
import { createInputAssembler } from "./createInputAssembler.js";

const feed = (lines: [string, boolean?][]) => {
  const assembler = createInputAssembler();
  const out = lines.map(([text, pasting]) => assembler.line(text, { pasting: pasting === true }));
  return { out: out.filter((input) => input.kind !== "more"), end: assembler.end() };
};

describe("createInputAssembler", () => {
  it("ends the session on /bye, /exit, exit and quit, and answers /help and /?", () => {
    for (const word of ["/bye", "/exit", "exit", "quit", "  quit  "]) {
      expect(feed([[word]]).out).toEqual([{ kind: "exit" }]);
    }
    expect(feed([["/help"], ["/?"]]).out).toEqual([{ kind: "help" }, { kind: "help" }]);
    expect(feed([["/nope"]]).out).toEqual([{ kind: "unknown-command", name: "/nope" }]);
    expect(feed([["exit the loop, please"]]).out).toEqual([
      { kind: "message", text: "exit the loop, please" },
    ]);
  });

  it('joins a """ block into one message', () => {
    expect(feed([['"""first'], ["second"], ['third"""'], ["next"]]).out).toEqual([
      { kind: "message", text: "first\nsecond\nthird" },
      { kind: "message", text: "next" },
    ]);
    expect(feed([['"""'], ["exit"], ['"""']]).out).toEqual([{ kind: "message", text: "exit" }]);
    expect(feed([['"""one line"""']]).out).toEqual([{ kind: "message", text: "one line" }]);
  });

  it("joins the lines of a bracketed paste with the line that ends it", () => {
    expect(feed([["pasted one", true], ["pasted two", true], ["typed after"]]).out).toEqual([
      { kind: "message", text: "pasted one\npasted two\ntyped after" },
    ]);
  });

  it("sends an unclosed block at the end of input", () => {
    expect(feed([['"""a'], ["b"]]).end).toEqual({ kind: "message", text: "a\nb" });
    expect(feed([["x"]]).end).toBeUndefined();
  });
});
