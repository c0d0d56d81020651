import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { createLineReader, type LineReaderOptions } from "./createLineReader.js";
import { decodeUtf8 } from "./decodeUtf8.js";

const encode = (text: string) => new TextEncoder().encode(text);

function readAll(chunks: Uint8Array[], options: LineReaderOptions): string[] {
  const reader = createLineReader(options);
  const lines: string[] = [];
  const drain = () => {
    for (let line = reader.next(); line !== undefined; line = reader.next()) lines.push(line);
  };
  for (const chunk of chunks) {
    reader.push(chunk);
    drain();
  }
  reader.end();
  drain();
  expect(reader.done).toBe(true);
  return lines;
}

/** Independent oracles: split the whole decoded text with a regular expression. */
function expectedSse(text: string): string[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  // A trailing line break ends the last line; it does not start an empty one.
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
function expectedNdjson(text: string): string[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = body.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

describe("createLineReader", () => {
  it("splits at LF, CR and CRLF for server-sent events, also when CRLF is split between chunks", () => {
    const lines = readAll([encode("a\r\nb\rc\nd\r"), encode("\ne"), encode("\r\n\r\n")], { breaks: "cr-lf" });
    expect(lines).toEqual(["a", "b", "c", "d", "e", ""]);
  });

  it("splits NDJSON at LF only and drops the CR before it, even in the previous chunk", () => {
    const lines = readAll([encode('{"a":"x\ry"}\r'), encode('\n{"b":1}')], { breaks: "lf" });
    expect(lines).toEqual(['{"a":"x\ry"}', '{"b":1}']);
  });

  it("joins a character whose bytes are split between chunks, and removes only a leading BOM", () => {
    const bytes = encode("\uFEFFé😀\n\uFEFFx\n");
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(readAll([bytes.subarray(0, cut), bytes.subarray(cut)], { breaks: "cr-lf" })).toEqual([
        "é😀",
        "\uFEFFx",
      ]);
    }
  });

  it("decodes invalid UTF-8 the way TextDecoder does, from Buffers and plain Uint8Arrays alike", () => {
    const bytes = Uint8Array.of(0x61, 0xc3, 0x0a, 0xf0, 0x9f, 0x98, 0x0a, 0xff, 0x62);
    const expected = new TextDecoder().decode(bytes).split("\n");
    expect(readAll([bytes], { breaks: "lf" })).toEqual(expected);
    expect(readAll([Buffer.from(bytes)], { breaks: "lf" })).toEqual(expected);
  });

  it("returns a last line without a line break only after end()", () => {
    const reader = createLineReader({ breaks: "cr-lf" });
    reader.push(encode("one\ntwo"));
    expect(reader.next()).toBe("one");
    expect(reader.next()).toBeUndefined();
    expect(reader.done).toBe(false);
    reader.end();
    expect(reader.next()).toBe("two");
    expect(reader.next()).toBeUndefined();
    expect(reader.done).toBe(true);
  });

  it("counts buffered chunks until they are read to their end", () => {
    const reader = createLineReader({ breaks: "lf" });
    reader.push(encode("a\nb\n"));
    reader.push(encode("c\n"));
    expect(reader.bufferedChunks).toBe(2);
    reader.next();
    expect(reader.bufferedChunks).toBe(2);
    reader.next();
    expect(reader.bufferedChunks).toBe(1);
    reader.next();
    expect(reader.bufferedChunks).toBe(0);
  });

  it("throws line-too-long for a line over the byte limit, whole or in pieces, and resets", () => {
    const options = { breaks: "lf", maxLineLength: 8, label: "NDJSON line" } as const;
    expect(() => readAll([encode("123456789\n")], options)).toThrow(ProtocolError);
    const reader = createLineReader(options);
    let thrown: unknown;
    try {
      for (let i = 0; i < 5; i++) {
        reader.push(encode("abc"));
        reader.next();
      }
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect((thrown as ProtocolError).reason).toBe("line-too-long");
    expect((thrown as ProtocolError).message).toContain("NDJSON line exceeded maxLineLength (8 bytes)");
    expect(reader.bufferedChunks).toBe(0);
    expect(readAll([encode("12345678\n")], options)).toEqual(["12345678"]);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => createLineReader({ breaks: "lf", maxLineLength: 0 })).toThrow(RangeError);
  });

  const lineText = fc.string({
    unit: fc.constantFrom("a", " ", ":", "é", "ж", "😀", "𝄞", "\uFEFF", "\r", "\n", "\r\n"),
    maxLength: 40,
  });
  const cuts = fc.array(fc.nat(), { maxLength: 12 });

  it("SSE: any split of the bytes gives the lines of the whole text (property)", () => {
    fc.assert(
      fc.property(fc.boolean(), lineText, cuts, fc.boolean(), (bom, body, positions, asBuffer) => {
        const text = (bom ? "\uFEFF" : "") + body;
        const parts = splitAt(encode(text), positions).map((part) => (asBuffer ? Buffer.from(part) : part));
        expect(readAll(parts, { breaks: "cr-lf" })).toEqual(expectedSse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("NDJSON: any split of the bytes gives the lines of the whole text (property)", () => {
    fc.assert(
      fc.property(lineText, cuts, fc.boolean(), (text, positions, asBuffer) => {
        const parts = splitAt(encode(text), positions).map((part) => (asBuffer ? Buffer.from(part) : part));
        expect(readAll(parts, { breaks: "lf" })).toEqual(expectedNdjson(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("createLineReader skipBlankLine", () => {
  it("consumes an empty line whose break is buffered, and nothing else", () => {
    const reader = createLineReader({ breaks: "cr-lf" });
    reader.push(encode("data: a\n\ndata: b\r\n\r\nc\r"));
    expect(reader.next()).toBe("data: a");
    expect(reader.skipBlankLine()).toBe(true);
    expect(reader.next()).toBe("data: b");
    expect(reader.skipBlankLine()).toBe(true);
    expect(reader.skipBlankLine()).toBe(false);
    expect(reader.next()).toBe("c");
    // The CR ended the chunk: the next chunk's LF belongs to it, the one after is a blank line.
    reader.push(encode("\n\nd\n"));
    expect(reader.skipBlankLine()).toBe(true);
    expect(reader.next()).toBe("d");
    expect(reader.skipBlankLine()).toBe(false);
    reader.end();
    expect(reader.next()).toBeUndefined();
  });

  it("gives the same lines as next() alone for any split (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "\r", "\n", "\r\n", "é"), maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (text, positions, tries) => {
          const reader = createLineReader({ breaks: "cr-lf" });
          const lines: string[] = [];
          let attempt = 0;
          const drain = () => {
            for (;;) {
              if (tries[attempt++ % Math.max(1, tries.length)] && reader.skipBlankLine()) {
                lines.push("");
                continue;
              }
              const line = reader.next();
              if (line === undefined) return;
              lines.push(line);
            }
          };
          for (const part of splitAt(encode(text), positions)) {
            reader.push(part);
            drain();
          }
          reader.end();
          drain();
          expect(lines).toEqual(expectedSse(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("createLineReader nextRaw", () => {
  it("points at a line within one chunk without decoding it, and leaves the rest to next()", () => {
    const reader = createLineReader({ breaks: "cr-lf" });
    reader.push(encode("\uFEFFfirst\r\ndata: é\r\nspan"));
    // The first line may start with a BOM: only next() reads it.
    expect(reader.nextRaw()).toBe(false);
    expect(reader.next()).toBe("first");
    expect(reader.nextRaw()).toBe(true);
    const { bytes, start, end } = reader.raw;
    expect(decodeUtf8(bytes, start, end)).toBe("data: é");
    // A line not yet complete, then one that spans chunks: nothing consumed, next() joins it.
    expect(reader.nextRaw()).toBe(false);
    reader.push(encode("s\n"));
    expect(reader.nextRaw()).toBe(false);
    expect(reader.next()).toBe("spans");
    reader.end();
    expect(reader.done).toBe(true);
  });

  it("enforces maxLineLength like next()", () => {
    const reader = createLineReader({ breaks: "lf", maxLineLength: 4 });
    reader.push(encode("ok\nlonger\n"));
    expect(reader.next()).toBe("ok");
    expect(() => reader.nextRaw()).toThrow(ProtocolError);
  });

  it("gives the lines of the whole text for any split and any mix with next() and skipBlankLine() (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<LineReaderOptions["breaks"]>("cr-lf", "lf"),
        fc.boolean(),
        fc.string({ unit: fc.constantFrom("a", "\r", "\n", "\r\n", "é", "🙂"), maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (breaks, bom, body, positions, choices, asBuffer) => {
          const text = (bom ? "\uFEFF" : "") + body;
          const reader = createLineReader({ breaks });
          const lines: string[] = [];
          let turn = 0;
          const drain = () => {
            for (;;) {
              const choice = choices[turn++ % choices.length];
              if (choice === 0 && reader.skipBlankLine()) lines.push("");
              else if (choice === 1 && reader.nextRaw()) {
                lines.push(decodeUtf8(reader.raw.bytes, reader.raw.start, reader.raw.end));
              } else {
                const line = reader.next();
                if (line === undefined) return;
                lines.push(line);
              }
            }
          };
          for (const part of splitAt(encode(text), positions)) {
            reader.push(asBuffer ? Buffer.from(part) : part);
            drain();
          }
          reader.end();
          drain();
          expect(reader.done).toBe(true);
          expect(lines).toEqual(breaks === "cr-lf" ? expectedSse(text) : expectedNdjson(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
