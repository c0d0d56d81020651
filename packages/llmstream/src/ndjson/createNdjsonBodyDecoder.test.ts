import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { createNdjsonBodyDecoder } from "./createNdjsonBodyDecoder.js";

/** Feeds `chunks` as a reader does (decode until dry after each push), then ends the body. */
function decodeAll(chunks: Uint8Array[]): string[] {
  const lines: string[] = [];
  const decoder = createNdjsonBodyDecoder({ onLine: (line) => lines.push(line) });
  for (const chunk of chunks) {
    decoder.push(chunk);
    while (decoder.decode());
  }
  decoder.end();
  while (decoder.decode());
  return lines;
}

/** An independent oracle: a leading BOM removed, split at LF, one CR stripped, blank lines dropped. */
function expectedLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
    .filter((line) => !/^[ \t\r]*$/.test(line));
}

describe("createNdjsonBodyDecoder", () => {
  it("hands on the non-blank lines, a CR before the LF dropped, the last one without its LF too", () => {
    const text = '\uFEFF{"a":1}\r\n\n  \t\n{"b":"é"}\n{"c":3}';
    expect(decodeAll([Buffer.from(text)])).toEqual(['{"a":1}', '{"b":"é"}', '{"c":3}']);
  });

  it("decodes one line per decode() call, and nothing before a line is complete", () => {
    const lines: string[] = [];
    const decoder = createNdjsonBodyDecoder({ onLine: (line) => lines.push(line) });
    decoder.push(Buffer.from('{"a"'));
    expect(decoder.decode()).toBe(false);
    decoder.push(Buffer.from(":1}\n\n"));
    expect(decoder.decode()).toBe(true);
    expect(lines).toEqual(['{"a":1}']);
    expect(decoder.decode()).toBe(true); // the blank line, skipped
    expect(decoder.decode()).toBe(false);
    expect(lines).toEqual(['{"a":1}']);
  });

  it("throws line-too-long for a line over maxLineLength", () => {
    const decoder = createNdjsonBodyDecoder({ onLine: () => {}, maxLineLength: 8 });
    decoder.push(Buffer.from(`{"a":"${"x".repeat(20)}"}\n`));
    expect(() => decoder.decode()).toThrow(ProtocolError);
  });

  it("gives the lines of the whole text for any split of the bytes (property)", () => {
    const lineChar = fc.constantFrom("{", "}", '"', "a", ":", " ", "\t", "\r", "é", "ж", "😀", "𝄞", "\uFEFF");
    const body = fc.array(
      fc.tuple(fc.string({ unit: lineChar, maxLength: 10 }), fc.constantFrom("\n", "\r\n", "")),
      {
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 16 }), (lines, cuts) => {
        const text = lines.map(([line, end]) => line + end).join("");
        expect(decodeAll(splitAt(Buffer.from(text), cuts))).toEqual(expectedLines(text));
      }),
      { numRuns: 500 },
    );
  });
});
