import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openAiTextSlot } from "../protocols/openAiTextSlot.js";
import { createTemplateJsonParser } from "./createTemplateJsonParser.js";

const newParser = () => createTemplateJsonParser({ locate: openAiTextSlot });
const chunk = (content: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "m",
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
    ...extra,
  });

afterEach(() => vi.restoreAllMocks());

describe("createTemplateJsonParser", () => {
  it("parses a stream of same-shaped chunks with one full parse and one probe", () => {
    const parser = newParser();
    const spy = vi.spyOn(JSON, "parse");
    const words = ["Hello", ",", " world", " ", "tok", "x".repeat(300)];
    for (const word of words) expect(parser.parse(chunk(word))).toEqual(JSON.parse(chunk(word)));
    // The expectations above call JSON.parse once per word themselves.
    expect(spy.mock.calls.length - words.length).toBe(2);
  });

  it("decodes escaped and multi-byte values exactly as JSON.parse does", () => {
    const parser = newParser();
    parser.parse(chunk("learn"));
    for (const value of [
      '"quoted"',
      "back\\slash",
      "line\nbreak",
      "tab\t",
      "\u0000",
      "é😀你好",
      "\ud800",
      "a\u2028b",
    ]) {
      const text = chunk(value);
      expect(parser.parse(text)).toEqual(JSON.parse(text));
    }
  });

  it("falls back to JSON.parse when anything but the value differs, and learns the new shape", () => {
    const parser = newParser();
    parser.parse(chunk("a"));
    const finish = JSON.stringify({
      id: "chatcmpl-1",
      choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
    });
    expect(parser.parse(finish)).toEqual(JSON.parse(finish));
    expect(parser.parse(chunk("b", { created: 1_700_000_001 }))).toEqual(
      JSON.parse(chunk("b", { created: 1_700_000_001 })),
    );
  });

  it("is not fooled by a prefix and suffix around something that is not one string literal", () => {
    const parser = newParser();
    const learned = '{"a":1,"choices":[{"delta":{"content":"x"}}]}';
    parser.parse(learned);
    const tricky = '{"a":1,"choices":[{"delta":{"content":"p"}}],"zz":[{"delta":{"content":"q"}}]}';
    expect(parser.parse(tricky)).toEqual(JSON.parse(tricky));
    const number = '{"a":1,"choices":[{"delta":{"content":5}}]}';
    expect(parser.parse(number)).toEqual(JSON.parse(number));
  });

  it("finds the slot even when its key also appears inside other strings", () => {
    const parser = newParser();
    const decoy = (content: string) =>
      JSON.stringify({ id: '"content":"decoy"', choices: [{ delta: { content } }], note: '"content":' });
    for (const word of ["one", "two", "three"])
      expect(parser.parse(decoy(word))).toEqual(JSON.parse(decoy(word)));
  });

  it("throws what JSON.parse throws for malformed input, before and after learning", () => {
    const parser = newParser();
    expect(() => parser.parse('{"choices":')).toThrow(SyntaxError);
    parser.parse(chunk("ok"));
    const broken = chunk("ok").replace('"ok"', '"o\\qk"');
    expect(() => parser.parse(broken)).toThrow(SyntaxError);
    const unterminated = chunk("ok").replace('"ok"', '"ok');
    expect(() => parser.parse(unterminated)).toThrow(SyntaxError);
  });

  it("learns less often when every chunk differs around the value (a timestamp per chunk)", () => {
    const parser = newParser();
    const spy = vi.spyOn(JSON, "parse");
    const count = 1000;
    for (let i = 0; i < count; i++) parser.parse(chunk("w", { created: i }));
    // One parse per chunk is unavoidable; the probes that try to learn must stay rare.
    expect(spy.mock.calls.length).toBeLessThan(count + 20);
  });

  it("reads a chunk from its bytes only when it is the template around a literal without escapes", () => {
    const parser = newParser();
    const bytes = (text: string) => Buffer.from(text);
    // Nothing learned yet.
    expect(parser.parseBytes(bytes(chunk("a")), 0, chunk("a").length)).toBeUndefined();
    parser.parse(chunk("Hello"));
    for (const value of ["é 你好 🙂", "", " world", "x".repeat(300)]) {
      const encoded = bytes(chunk(value));
      expect(parser.parseBytes(encoded, 0, encoded.length)).toEqual(JSON.parse(chunk(value)));
    }
    // Escapes, another shape, or a range that is not the whole document: decode and parse instead.
    for (const text of [chunk('say "hi"'), chunk("a\nb"), chunk("x", { usage: null }), chunk(null)]) {
      expect(parser.parseBytes(bytes(text), 0, Buffer.byteLength(text))).toBeUndefined();
    }
    const whole = bytes(chunk("abc"));
    expect(parser.parseBytes(whole, 0, whole.length - 1)).toBeUndefined();
    expect(parser.parseBytes(whole, 1, whole.length)).toBeUndefined();
    // Without Node's Buffer methods (a browser's Uint8Array): always the text path.
    expect(parser.parseBytes(new TextEncoder().encode(chunk("abc")), 0, whole.length)).toBeUndefined();
  });

  it("gives what JSON.parse gives for any sequence of chunks (differential property)", () => {
    const valueChar = fc.constantFrom(
      "a",
      " ",
      '"',
      "\\",
      "\n",
      "\t",
      "\u0001",
      "é",
      "😀",
      ":",
      "{",
      "}",
      ",",
    );
    // Values and fields repeat often, so that consecutive chunks share their text around the slot.
    const value = fc.oneof(
      fc.constantFrom("same", "same", "x", '","content":"', ""),
      fc.string({ unit: valueChar, maxLength: 8 }),
      fc.constant(null),
      fc.integer(),
    );
    const document = fc.record({
      value,
      key: fc.constantFrom("content", "content", "content", "reasoning_content", "reasoning"),
      id: fc.constantFrom("chatcmpl-1", "chatcmpl-1", "chatcmpl-1", '"content":"x"'),
      created: fc.constantFrom(1, 1, 1, 2),
      spaced: fc.constantFrom(false, false, false, true),
      extraChoice: fc.constantFrom(false, false, false, true),
      corrupt: fc.constantFrom(false, false, false, false, true),
      // An earlier object with the same key: the text search finds it first; only the probe tells.
      decoy: fc.option(fc.constantFrom("d1", "d2"), { nil: undefined }),
      // Given as bytes first (inside a larger Buffer, as a line sits in a network read), else as text.
      bytes: fc.option(fc.record({ before: fc.nat({ max: 3 }), after: fc.nat({ max: 3 }) }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(document, { maxLength: 30 }), (documents) => {
        const parser = newParser();
        for (const d of documents) {
          const choices = [{ index: 0, delta: { [d.key]: d.value } }];
          if (d.extraChoice) choices.push({ index: 1, delta: { [d.key]: "other" } });
          const head = d.decoy === undefined ? {} : { prompt: { [d.key]: d.decoy } };
          let text = JSON.stringify(
            { ...head, id: d.id, created: d.created, choices },
            null,
            d.spaced ? 1 : undefined,
          );
          if (d.corrupt) text = text.slice(0, -2);
          let expected: unknown;
          try {
            expected = JSON.parse(text);
          } catch {
            if (d.bytes !== undefined)
              expect(parser.parseBytes(Buffer.from(`{${text}}`), 1, 1)).toBeUndefined();
            expect(() => parser.parse(text)).toThrow(SyntaxError);
            continue;
          }
          if (d.bytes !== undefined) {
            const encoded = Buffer.from(text);
            const padded = Buffer.concat([
              Buffer.alloc(d.bytes.before, 34),
              encoded,
              Buffer.alloc(d.bytes.after, 34),
            ]);
            const start = d.bytes.before;
            const fromBytes = parser.parseBytes(padded, start, start + encoded.length);
            if (fromBytes !== undefined) {
              expect(fromBytes).toEqual(expected);
              continue;
            }
          }
          expect(parser.parse(text)).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
