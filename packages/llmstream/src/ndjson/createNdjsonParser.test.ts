import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { createNdjsonParser } from "./createNdjsonParser.js";

function lines(chunks: string[], options: { end?: boolean; maxLineLength?: number } = {}): string[] {
  const output: string[] = [];
  const { end = false, ...rest } = options;
  const parser = createNdjsonParser({ ...rest, onLine: (line) => output.push(line) });
  for (const chunk of chunks) parser.feed(chunk);
  if (end) parser.end();
  return output;
}

describe("createNdjsonParser", () => {
  it("emits each line ending in LF, without the LF", () => {
    expect(lines(['{"a":1}\n{"a":2}\n'])).toEqual(['{"a":1}', '{"a":2}']);
  });

  it("holds back a line until its LF arrives", () => {
    expect(lines(['{"a":1}'])).toEqual([]);
  });

  it("joins a line split across many chunks", () => {
    expect(lines(['{"a"', ":", "1", "}\n"])).toEqual(['{"a":1}']);
  });

  it("strips the CR of a CRLF line ending, also when CR and LF arrive in different chunks", () => {
    expect(lines(['{"a":1}\r\n{"a":2}\r', '\n{"a":3}\r\n'])).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
  });

  it("does not treat a lone CR as a line break", () => {
    expect(lines(["a\rb\n"])).toEqual(["a\rb"]);
  });

  it("skips empty and whitespace-only lines", () => {
    expect(lines(["\n  \n\t\r\n\r\n{}\n \n"])).toEqual(["{}"]);
  });

  it("keeps leading and trailing spaces of a non-blank line", () => {
    expect(lines(['  {"a":1} \n'])).toEqual(['  {"a":1} ']);
  });

  it("keeps multi-byte and astral characters intact", () => {
    expect(lines(['{"t":"héllo 😀 ж"}\n'])).toEqual(['{"t":"héllo 😀 ж"}']);
  });

  it("emits a final line without newline at end()", () => {
    expect(lines(['{"a":1}\n{"a":2}'], { end: true })).toEqual(['{"a":1}', '{"a":2}']);
    expect(lines(['{"a":1}\r'], { end: true })).toEqual(['{"a":1}']);
  });

  it("emits nothing at end() for a final blank line", () => {
    expect(lines(['{"a":1}\n  '], { end: true })).toEqual(['{"a":1}']);
  });

  it("starts over after end() and after reset()", () => {
    const output: string[] = [];
    const parser = createNdjsonParser({ onLine: (line) => output.push(line) });
    parser.feed("a");
    parser.end();
    parser.feed("partial");
    parser.reset();
    parser.feed("b\n");
    expect(output).toEqual(["a", "b"]);
  });

  it("accepts a line of exactly maxLineLength characters, plus its CR", () => {
    expect(lines(["abcd\r\n"], { maxLineLength: 4 })).toEqual(["abcd"]);
    expect(lines(["ab", "cd\r", "\n"], { maxLineLength: 4 })).toEqual(["abcd"]);
  });

  it("throws line-too-long for a longer line in one chunk, then parses the next stream normally", () => {
    const output: string[] = [];
    const parser = createNdjsonParser({ onLine: (line) => output.push(line), maxLineLength: 4 });
    let error: unknown;
    try {
      parser.feed("ab\nabcde\n");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: "protocol", reason: "line-too-long" });
    expect((error as Error).message).toMatch(/NDJSON line exceeded maxLineLength \(4 characters\)/);
    parser.feed("cd\n");
    expect(output).toEqual(["ab", "cd"]);
  });

  it("throws line-too-long once a split line outgrows the limit, before its newline arrives", () => {
    const parser = createNdjsonParser({ onLine: () => {}, maxLineLength: 4 });
    parser.feed("abc");
    expect(() => parser.feed("def")).toThrow(ProtocolError);
  });

  it("throws line-too-long when a split line ends just over the limit", () => {
    const parser = createNdjsonParser({ onLine: () => {}, maxLineLength: 4 });
    parser.feed("abcde");
    expect(() => parser.feed("\n")).toThrow(ProtocolError);
  });

  it("rejects a maxLineLength that is not a positive integer", () => {
    expect(() => createNdjsonParser({ onLine: () => {}, maxLineLength: -1 })).toThrow(RangeError);
  });
});
