import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { createTemplateJsonParser, type TemplateSlot } from "../json/createTemplateJsonParser.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { createSseBodyDecoder, type SseByteLane } from "./createSseBodyDecoder.js";
import { createSseParser } from "./createSseParser.js";

/** What a decoder reported, in order: `[eventName, data]` from `onData`, `["value", …]` from a byte lane. */
type Seen = [string | undefined, string];

/** Feeds `chunks` as a reader does (decode until dry after each push), then ends the body. */
function decodeAll(
  chunks: Uint8Array[],
  lane?: (seen: Seen[]) => SseByteLane,
  mapData: (data: string) => string = (data) => data,
): Seen[] {
  const seen: Seen[] = [];
  const decoder = createSseBodyDecoder({
    onData: (data, eventName) => seen.push([eventName, eventName === undefined ? mapData(data) : data]),
    ...(lane === undefined ? {} : { byteLane: lane(seen) }),
  });
  for (const chunk of chunks) {
    decoder.push(chunk);
    while (decoder.decode());
  }
  decoder.end();
  while (decoder.decode());
  return seen;
}

/** The events of the whole text, by the string-level parser (itself property-tested against eventsource-parser). */
function oracle(text: string): Seen[] {
  const seen: Seen[] = [];
  const parser = createSseParser({ onEvent: (event) => seen.push([event.event, event.data]) });
  parser.feed(text);
  parser.end();
  return seen;
}

const bytes = (text: string) => Buffer.from(text, "utf8");

describe("createSseBodyDecoder", () => {
  it("dispatches events with their type, joins data lines, skips comments and unknown fields", () => {
    const text =
      ': hello\r\nevent: error\r\ndata: {"error":"x"}\r\n\r\ndata: a\ndata: b\nid: 7\nfoo: bar\n\ndata: [DONE]\n\n';
    expect(decodeAll([bytes(text)])).toEqual([
      ["error", '{"error":"x"}'],
      [undefined, "a\nb"],
      [undefined, "[DONE]"],
    ]);
  });

  it("removes a BOM at the start and delivers a last event that lacks its blank line", () => {
    expect(decodeAll([bytes("\uFEFFdata: x\n\ndata: last")])).toEqual([
      [undefined, "x"],
      [undefined, "last"],
    ]);
  });

  it("decodes one line per decode() call, and nothing before a line is complete", () => {
    const seen: string[] = [];
    const decoder = createSseBodyDecoder({ onData: (data) => seen.push(data) });
    decoder.push(bytes("data: a"));
    expect(decoder.decode()).toBe(false);
    decoder.push(bytes("\n\nevent: x\ndata: b\n\n"));
    expect(decoder.decode()).toBe(true);
    expect(seen).toEqual(["a"]);
    expect(decoder.decode()).toBe(true); // event: x
    expect(decoder.decode()).toBe(true); // data: b
    expect(seen).toEqual(["a"]);
    expect(decoder.decode()).toBe(true); // the blank line dispatches it
    expect(seen).toEqual(["a", "b"]);
    expect(decoder.decode()).toBe(false);
  });

  it("throws line-too-long for a line over maxLineLength", () => {
    const decoder = createSseBodyDecoder({ onData: () => {}, maxLineLength: 16 });
    decoder.push(bytes(`data: ${"x".repeat(40)}\n\n`));
    expect(() => decoder.decode()).toThrow(ProtocolError);
  });

  it("uses the byte lane for a plain data event whose blank line is buffered, and only then", () => {
    const parsed: string[] = [];
    const lane =
      (seen: Seen[]): SseByteLane =>
      (b, start, end) => {
        const text = Buffer.from(b.subarray(start, end)).toString("utf8");
        parsed.push(text);
        if (!text.startsWith("{")) return false;
        seen.push(["value", text]);
        return true;
      };
    const text = 'data: x\n\n: c\ndata: {"a":1}\n\nevent: t\ndata: {"b":2}\n\ndata: {"c":3}\ndata: d\n\n';
    // The stream's first line may carry a BOM, so it is decoded; so are the lines after an event: line.
    expect(decodeAll([bytes(`: first\n${text}`)], lane)).toEqual([
      [undefined, "x"],
      ["value", '{"a":1}'],
      ["t", '{"b":2}'],
      [undefined, '{"c":3}\nd'],
    ]);
    // Declined ("x") goes to onData; not offered: a typed event, and data whose blank line is missing.
    expect(parsed).toEqual(["x", '{"a":1}']);
  });

  it("gives the events of the whole text for any split of the bytes, with and without the byte lane (property)", () => {
    const ending = fc.constantFrom("\n", "\r", "\r\n");
    // The usual event (a chunk around a token, then a blank line) among lines of every other kind.
    const chunkEvent = fc
      .tuple(fc.constantFrom("é", "你好 🙂", 'say \\"hi\\"', "ab"), ending, ending)
      .map(([token, end, blank]) => `data: {"choices":[{"delta":{"content":"${token}"}}]}${end}${blank}`);
    const otherLine = fc
      .tuple(
        fc.constantFrom(
          "data: [DONE]",
          "data:x",
          "data",
          "event: error",
          "event: ",
          ": comment",
          "id: 7",
          "retry: 5",
          "",
        ),
        ending,
      )
      .map(([line, end]) => line + end);
    const body = fc.tuple(
      fc.boolean(),
      fc.array(fc.oneof({ arbitrary: chunkEvent, weight: 3 }, { arbitrary: otherLine, weight: 2 }), {
        maxLength: 24,
      }),
      fc.boolean(),
    );
    const slot = (value: unknown): TemplateSlot | undefined => {
      const delta = (value as { choices?: { delta?: Record<string, unknown> }[] })?.choices?.[0]?.delta;
      return typeof delta?.content === "string" && delta.content !== ""
        ? { holder: delta, key: "content" }
        : undefined;
    };
    const lanes = { byte: 0 };
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 12 }), ([bom, lines, openEnd], cuts) => {
        const text = `${bom ? "\uFEFF" : ""}${lines.join("")}${openEnd ? "data: tail" : ""}`;
        const whole = bytes(text);
        const chunks = splitAt(whole, cuts);
        const expected = oracle(text);
        expect(decodeAll(chunks)).toEqual(expected);
        // The byte lane with the real template parser, wired as the reader wires it (the text lane
        // parses with the same parser, which is where it learns): every event's data, as JSON text.
        const json = createTemplateJsonParser({ locate: slot });
        const asJson = (data: string): string => {
          try {
            return JSON.stringify(json.parse(data));
          } catch {
            return data;
          }
        };
        let byteLaneEvents = 0;
        const withLane = decodeAll(
          chunks,
          (seen) => (b, start, end) => {
            const value = json.parseBytes(b, start, end);
            if (value === undefined) return false;
            byteLaneEvents++;
            seen.push([undefined, JSON.stringify(value)]);
            return true;
          },
          asJson,
        );
        lanes.byte += byteLaneEvents;
        const normalised = (seen: Seen[]) =>
          seen.map(([name, data]): Seen => (name === undefined ? [name, asJson(data)] : [name, data]));
        expect(normalised(withLane)).toEqual(normalised(expected));
      }),
      { numRuns: 300 },
    );
    // The byte lane was really taken, not only the text lanes. The count depends on the random inputs:
    // 98–159 per 300 runs in 17 samples (2026-12-07), so the floor sits well below that (100 failed CI
    // once); a lane that is never or hardly ever taken still fails.
    expect(lanes.byte).toBeGreaterThan(40);
  });
});
