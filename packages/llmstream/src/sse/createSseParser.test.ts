import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { createSseParser, type SseEvent, type SseParserOptions } from "./createSseParser.js";

interface Recorded {
  events: SseEvent[];
  retries: number[];
  comments: string[];
}

/** Feeds the chunks in order (without calling `end()` unless asked) and records every callback. */
function parse(
  chunks: string[],
  options: { end?: boolean } & Omit<SseParserOptions, "onEvent"> = {},
): Recorded {
  const recorded: Recorded = { events: [], retries: [], comments: [] };
  const { end = false, ...rest } = options;
  const parser = createSseParser({
    ...rest,
    onEvent: (event) => recorded.events.push(event),
    onRetry: (ms) => recorded.retries.push(ms),
    onComment: (comment) => recorded.comments.push(comment),
  });
  for (const chunk of chunks) parser.feed(chunk);
  if (end) parser.end();
  return recorded;
}

function datas(chunks: string[], options: { end?: boolean } = {}): string[] {
  return parse(chunks, options).events.map((event) => event.data);
}

describe("createSseParser", () => {
  it("dispatches an event at a blank line, with no event name and no id when none were given", () => {
    expect(parse(["data: hello\n\n"]).events).toEqual([{ event: undefined, data: "hello", id: undefined }]);
  });

  it("does not dispatch an event before its blank line arrives", () => {
    expect(datas(["data: hello\n"])).toEqual([]);
  });

  it("parses many events in one chunk", () => {
    expect(datas(["data: a\n\ndata: b\n\ndata: c\n\n"])).toEqual(["a", "b", "c"]);
  });

  it("joins multi-line data with a line feed", () => {
    expect(datas(["data: one\ndata: two\ndata: three\n\n"])).toEqual(["one\ntwo\nthree"]);
  });

  it("accepts LF, CR and CRLF line endings, also mixed in one stream", () => {
    expect(datas(["data: a\n\ndata: b\r\rdata: c\r\n\r\ndata: d\ndata: e\r\n\r"])).toEqual([
      "a",
      "b",
      "c",
      "d\ne",
    ]);
  });

  it("treats a CR at the end of one chunk and an LF at the start of the next as one line break", () => {
    expect(datas(["data: a\r", "\ndata: b\r\n\r\n"])).toEqual(["a\nb"]);
    expect(datas(["data: a\r\n\r", "\ndata: b\n\n"])).toEqual(["a", "b"]);
  });

  it("does not swallow an LF that follows a CRLF ending a chunk", () => {
    expect(datas(["data\r\n", "\n"])).toEqual([""]);
    expect(datas(["data: a\r\n", "\ndata: b\r\n\r\n"])).toEqual(["a", "b"]);
  });

  it("dispatches single-line events followed by a CR or CRLF blank line, also at a chunk's end", () => {
    expect(datas(["data: a\r\rdata: b\r\n\r", "\ndata: c\n\r", "\n"])).toEqual(["a", "b", "c"]);
    expect(datas(["data: a\r\n\r", "\n", "data: b\r\r"])).toEqual(["a", "b"]);
  });

  it("keeps the pending CR across an empty chunk", () => {
    expect(datas(["data: a\r", "", "\ndata: b\n\n"])).toEqual(["a\nb"]);
  });

  it("treats two CRs as a line break followed by a blank line", () => {
    expect(datas(["data: a\r", "\r"])).toEqual(["a"]);
  });

  it("joins a line split across many chunks", () => {
    expect(datas(["da", "ta", ": he", "l", "lo\n", "\n"])).toEqual(["hello"]);
  });

  it("reports comments without the colon and one leading space, and never as events", () => {
    const recorded = parse([": keep-alive\n:no space\n:  two spaces\n:\n\n"]);
    expect(recorded.comments).toEqual(["keep-alive", "no space", " two spaces", ""]);
    expect(recorded.events).toEqual([]);
  });

  it("lets a comment sit between the data lines of one event", () => {
    expect(datas(["data: a\n: ping\ndata: b\n\n"])).toEqual(["a\nb"]);
  });

  it("sets the event name from the event field and clears it after dispatch", () => {
    expect(parse(["event: delta\ndata: a\n\ndata: b\n\n"]).events.map((event) => event.event)).toEqual([
      "delta",
      undefined,
    ]);
  });

  it("reports an empty event field as no event name", () => {
    expect(parse(["event:\ndata: a\n\n"]).events[0]?.event).toBeUndefined();
  });

  it("keeps the last event id across following events, as the spec says", () => {
    expect(
      parse(["id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n"]).events.map((event) => event.id),
    ).toEqual(["7", "7", "8"]);
  });

  it("ignores an id that contains NUL", () => {
    expect(parse(["id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"]).events.map((event) => event.id)).toEqual([
      "1",
      "1",
    ]);
  });

  it("clears the id with an empty id field", () => {
    expect(parse(["id: 1\ndata: a\n\nid\ndata: b\n\n"]).events.map((event) => event.id)).toEqual([
      "1",
      undefined,
    ]);
  });

  it("reports retry values made of digits only and ignores the others", () => {
    const recorded = parse([
      "retry: 1500\nretry:20\nretry: 1.5\nretry: 10ms\nretry:\nretry:  3\nretry: -1\n\n",
    ]);
    expect(recorded.retries).toEqual([1500, 20]);
  });

  it("strips only one space after the colon", () => {
    expect(datas(["data:x\n\ndata:  y\n\ndata: \n\n"])).toEqual(["x", " y", ""]);
  });

  it("keeps colons that follow the first one in the value", () => {
    expect(datas(['data: {"a":"b:c"}\n\n'])).toEqual(['{"a":"b:c"}']);
  });

  it("treats a line without a colon as a field name with an empty value", () => {
    expect(datas(["data\n\n"])).toEqual([""]);
    expect(datas(["data\ndata\n\n"])).toEqual(["\n"]);
    expect(parse(["event\ndata: a\n\n"]).events[0]?.event).toBeUndefined();
  });

  it("ignores unknown fields, including differently cased known ones", () => {
    expect(parse(["foo: bar\nData: x\ndata : y\nevents: e\ndata: a\n\n"]).events).toEqual([
      { event: undefined, data: "a", id: undefined },
    ]);
  });

  it("strips a byte order mark at the very start of the stream", () => {
    expect(datas(["\uFEFFdata: a\n\n"])).toEqual(["a"]);
    expect(datas(["\uFEFF", "data: a\n\n"])).toEqual(["a"]);
  });

  it("does not strip a byte order mark later in the stream", () => {
    expect(datas(["data: a\n\n\uFEFFdata: b\n\n"])).toEqual(["a"]);
    expect(datas(["data: \uFEFFb\n\n"])).toEqual(["\uFEFFb"]);
  });

  it("does not dispatch an event whose data buffer is empty, and forgets its event name", () => {
    expect(parse(["event: x\nid: 1\n\ndata: a\n\n"]).events).toEqual([
      { event: undefined, data: "a", id: "1" },
    ]);
  });

  it("dispatches an empty data field as an event with empty data", () => {
    expect(datas(["data:\n\n"])).toEqual([""]);
  });

  it("keeps multi-byte and astral characters intact", () => {
    expect(datas(["data: héllo 😀 ж\n\n"])).toEqual(["héllo 😀 ж"]);
  });

  it("dispatches, at end(), a last event that lacks its blank line (a deliberate deviation from the spec)", () => {
    expect(datas(["data: a\n\ndata: b\n"], { end: true })).toEqual(["a", "b"]);
    expect(datas(["data: a\n\ndata: b"], { end: true })).toEqual(["a", "b"]);
    expect(datas(["data: a\r"], { end: true })).toEqual(["a"]);
  });

  it("dispatches nothing at end() when the pending event has no data", () => {
    expect(datas(["data: a\n\nevent: x\nid: 2\n"], { end: true })).toEqual(["a"]);
  });

  it("starts over after end()", () => {
    const events: SseEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event) });
    parser.feed("id: 5\nevent: x\ndata: a\ndata: b");
    parser.end();
    parser.feed("\uFEFFdata: c\n\n");
    expect(events).toEqual([
      { event: "x", data: "a\nb", id: "5" },
      { event: undefined, data: "c", id: undefined },
    ]);
  });

  it("forgets the partial line, the pending event and the id on reset()", () => {
    const events: SseEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event) });
    parser.feed("id: 1\ndata: a\n\nevent: x\ndata: b\ndata: partial");
    parser.reset();
    parser.feed("\uFEFFdata: c\n\n");
    expect(events.map((event) => [event.data, event.event, event.id])).toEqual([
      ["a", undefined, "1"],
      ["c", undefined, undefined],
    ]);
  });

  it("accepts a line of exactly maxLineLength characters", () => {
    expect(parse(["data: abcd\n\n"], { maxLineLength: 10 }).events).toHaveLength(1);
    expect(parse(["data: ab", "cd\n\n"], { maxLineLength: 10 }).events).toHaveLength(1);
    expect(parse(["data: abcd\ndata: efg\n\n"], { maxLineLength: 10 }).events).toHaveLength(1);
  });

  it("throws line-too-long for a longer line in one chunk, then parses the next stream normally", () => {
    const events: SseEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event), maxLineLength: 10 });
    parser.feed("data: a\n");
    expect(() => parser.feed("data: abcde\n\n")).toThrow(ProtocolError);
    parser.feed("data: b\n\n");
    expect(events.map((event) => event.data)).toEqual(["b"]);
  });

  it("throws line-too-long, naming the limit and the option, once a split line outgrows the limit", () => {
    const parser = createSseParser({ onEvent: () => {}, maxLineLength: 10 });
    parser.feed("data: ");
    parser.feed("abcd");
    let error: unknown;
    try {
      parser.feed("e");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: "protocol", reason: "line-too-long" });
    expect((error as Error).message).toMatch(/maxLineLength \(10 characters\)/);
  });

  it("throws line-too-long when a long line arrives after a partial one", () => {
    const parser = createSseParser({ onEvent: () => {}, maxLineLength: 10 });
    parser.feed("data: a");
    expect(() => parser.feed("bcdefgh\n")).toThrow(/SSE line exceeded maxLineLength/);
  });

  it("throws line-too-long when an event's accumulated data outgrows the limit", () => {
    const parser = createSseParser({ onEvent: () => {}, maxLineLength: 10 });
    parser.feed("data: abcd\ndata: efgh\n");
    expect(() => parser.feed("data: i\n")).toThrow(/SSE event data exceeded maxLineLength/);
  });

  it("is as new after a callback throws, whether the event took the fast lane or the line path", () => {
    for (const [first, rest] of [
      ["id: 1\ndata: boom\n\n", "data: a\n\n"], // fast lane: one data line, blank line in the chunk
      ["id: 1\ndata: boom\ndata: x\n\n", "data: a\n\n"], // line path: two data lines
      ["id: 1\r\ndata: boom\r\n\r\n", "data: a\r\n\r\n"], // line path with CRLF
    ] as const) {
      const events: SseEvent[] = [];
      const parser = createSseParser({
        onEvent: (event) => {
          if (event.data.startsWith("boom")) throw new Error("listener failed");
          events.push(event);
        },
      });
      expect(() => parser.feed(`${first}data: partial`)).toThrow("listener failed");
      // The id, the event and the partial line of the failed chunk are gone, and a BOM is stripped again.
      parser.feed(`\uFEFF${rest}`);
      expect(events).toEqual([{ event: undefined, data: "a", id: undefined }]);
    }
  });

  it("rejects a maxLineLength that is not a positive integer", () => {
    expect(() => createSseParser({ onEvent: () => {}, maxLineLength: 0 })).toThrow(RangeError);
    expect(() => createSseParser({ onEvent: () => {}, maxLineLength: 1.5 })).toThrow(RangeError);
  });

  it("uses the event name and the id on the single-line fast path", () => {
    expect(parse(["event: e\nid: 9\ndata: a\n\ndata: b\n\n"]).events).toEqual([
      { event: "e", data: "a", id: "9" },
      { event: undefined, data: "b", id: "9" },
    ]);
  });
});
