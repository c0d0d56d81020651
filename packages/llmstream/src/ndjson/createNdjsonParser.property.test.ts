import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { createNdjsonParser } from "./createNdjsonParser.js";

const lineChar = fc.constantFrom("{", "}", '"', "a", ":", " ", "\t", "\r", "é", "ж", "😀", "𝄞", "\uFEFF");
const ndjsonCase = fc.record({
  lines: fc.array(fc.string({ unit: lineChar, maxLength: 10 }), { maxLength: 10 }),
  endings: fc.array(fc.constantFrom("\n", "\r\n"), { minLength: 1, maxLength: 5 }),
  finalNewline: fc.boolean(),
});
type NdjsonCase = typeof ndjsonCase extends fc.Arbitrary<infer T> ? T : never;

function serialize(sample: NdjsonCase): string {
  return sample.lines
    .map((line, index) => {
      const last = index === sample.lines.length - 1;
      return last && !sample.finalNewline ? line : line + sample.endings[index % sample.endings.length]!;
    })
    .join("");
}

/** An independent oracle: split the whole text, strip one CR, drop blank lines. */
function expectedLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
    .filter((line) => !/^[ \t\r]*$/.test(line));
}

function feedAll(chunks: string[]): string[] {
  const output: string[] = [];
  const parser = createNdjsonParser({ onLine: (line) => output.push(line) });
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return output;
}

const cuts = fc.array(fc.nat(), { maxLength: 20 });

describe("createNdjsonParser properties", () => {
  it("emits the non-blank lines of generated input, whatever the split of the string", () => {
    fc.assert(
      fc.property(ndjsonCase, cuts, (sample, positions) => {
        const text = serialize(sample);
        expect(feedAll(splitAt(text, positions))).toEqual(expectedLines(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("emits the same lines when UTF-8 bytes are split anywhere and decoded in streaming mode", () => {
    fc.assert(
      fc.property(ndjsonCase, cuts, (sample, positions) => {
        const text = serialize(sample);
        const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
        const chunks = splitAt(new TextEncoder().encode(text), positions).map((part) =>
          decoder.decode(part, { stream: true }),
        );
        chunks.push(decoder.decode());
        expect(feedAll(chunks)).toEqual(expectedLines(text));
      }),
      { numRuns: 1000 },
    );
  });
});
