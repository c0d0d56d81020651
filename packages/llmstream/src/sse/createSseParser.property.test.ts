import { createParser } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLineReader } from "../lines/createLineReader.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { createSseLineParser } from "./createSseLineParser.js";
import { createSseParser, type SseEvent } from "./createSseParser.js";

interface Block {
  comments: string[];
  event: string | undefined;
  id: string | undefined;
  retry: number | undefined;
  data: string[];
  unknownField: boolean;
}

interface Case {
  bom: boolean;
  blocks: Block[];
  endings: ("\n" | "\r" | "\r\n")[];
  /** The last block lacks its blank line; only `end()` dispatches it. */
  openEnd: boolean;
}

// Field values: no CR/LF (they would end the line), but colons, spaces, BOMs, multi-byte and astral characters.
const valueChar = fc.constantFrom("a", "b", " ", ":", "é", "ж", "€", "😀", "𝄞", "\uFEFF", "\t", "{", '"');
const value = fc.string({ unit: valueChar, maxLength: 12 });

const block: fc.Arbitrary<Block> = fc.record({
  comments: fc.array(value, { maxLength: 2 }),
  event: fc.option(fc.string({ unit: valueChar, minLength: 1, maxLength: 8 }), { nil: undefined }),
  id: fc.option(
    fc.oneof(
      value,
      value.map((text) => `${text}\0`),
    ),
    { nil: undefined },
  ),
  retry: fc.option(fc.nat(100_000), { nil: undefined }),
  data: fc.array(value, { maxLength: 3 }),
  unknownField: fc.boolean(),
});

const sseCase: fc.Arbitrary<Case> = fc.record({
  bom: fc.boolean(),
  blocks: fc.array(block, { maxLength: 6 }),
  endings: fc.array(fc.constantFrom("\n" as const, "\r" as const, "\r\n" as const), {
    minLength: 1,
    maxLength: 8,
  }),
  openEnd: fc.boolean(),
});

/** Serializes a case; every line gets the next line ending from the (cycled) list. */
function serialize(sample: Case): string {
  const parts: string[] = [sample.bom ? "\uFEFF" : ""];
  let line = 0;
  let previous = "";
  const push = (text: string): void => {
    let ending = sample.endings[line++ % sample.endings.length]!;
    // "\r" then an empty line ending in "\n" would read as one CRLF and swallow the blank line.
    if (text === "" && previous === "\r" && ending === "\n") ending = "\r\n";
    parts.push(text, ending);
    previous = ending;
  };
  sample.blocks.forEach((item, index) => {
    for (const comment of item.comments) push(`:${comment}`);
    if (item.event !== undefined) push(`event: ${item.event}`);
    if (item.id !== undefined) push(`id: ${item.id}`);
    if (item.retry !== undefined) push(`retry: ${item.retry}`);
    if (item.unknownField) push("unknown: field");
    for (const data of item.data) push(`data: ${data}`);
    if (!(sample.openEnd && index === sample.blocks.length - 1)) push("");
  });
  return parts.join("");
}

/** What the spec says the events are, computed from the structure rather than by parsing. */
function expectedEvents(sample: Case): SseEvent[] {
  const events: SseEvent[] = [];
  let lastId = "";
  for (const item of sample.blocks) {
    if (item.id !== undefined && !item.id.includes("\0")) lastId = item.id;
    if (item.data.length > 0) {
      events.push({ event: item.event, data: item.data.join("\n"), id: lastId === "" ? undefined : lastId });
    }
  }
  return events;
}

interface Output {
  events: SseEvent[];
  retries: number[];
  comments: string[];
}

function feedAll(chunks: string[], end = true): Output {
  const output: Output = { events: [], retries: [], comments: [] };
  const parser = createSseParser({
    onEvent: (event) => output.events.push(event),
    onRetry: (ms) => output.retries.push(ms),
    onComment: (comment) => output.comments.push(comment),
  });
  for (const chunk of chunks) parser.feed(chunk);
  if (end) parser.end();
  return output;
}

const cuts = fc.array(fc.nat(), { maxLength: 20 });

describe("createSseParser properties", () => {
  it("yields the spec's events for generated streams, whatever the line endings", () => {
    fc.assert(
      fc.property(sseCase, (sample) => {
        const output = feedAll([serialize(sample)]);
        expect(output.events).toEqual(expectedEvents(sample));
        expect(output.retries).toEqual(sample.blocks.flatMap((item) => item.retry ?? []));
        expect(output.comments).toEqual(
          sample.blocks.flatMap((item) => item.comments.map((comment) => comment.replace(/^ /, ""))),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same result for any split of the input string as for the whole string", () => {
    fc.assert(
      fc.property(sseCase, cuts, (sample, positions) => {
        const text = serialize(sample);
        expect(feedAll(splitAt(text, positions))).toEqual(feedAll([text]));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same events when UTF-8 bytes are split anywhere and decoded in streaming mode", () => {
    fc.assert(
      fc.property(sseCase, cuts, fc.boolean(), (sample, positions, ignoreBOM) => {
        const bytes = new TextEncoder().encode(serialize(sample));
        const decoder = new TextDecoder("utf-8", { ignoreBOM });
        const chunks = splitAt(bytes, positions).map((part) => decoder.decode(part, { stream: true }));
        chunks.push(decoder.decode());
        expect(feedAll(chunks).events).toEqual(expectedEvents(sample));
      }),
      { numRuns: 1000 },
    );
  });

  it("the byte path (line reader + line parser) gives the same result for any split of the bytes", () => {
    fc.assert(
      fc.property(sseCase, cuts, fc.boolean(), (sample, positions, asBuffer) => {
        const text = serialize(sample);
        const bytes = new TextEncoder().encode(text);
        const output: Output = { events: [], retries: [], comments: [] };
        const parser = createSseLineParser({
          onEvent: (event) => output.events.push(event),
          onRetry: (ms) => output.retries.push(ms),
          onComment: (comment) => output.comments.push(comment),
        });
        const lines = createLineReader({ breaks: "cr-lf" });
        const drain = () => {
          for (let line = lines.next(); line !== undefined; line = lines.next()) parser.line(line);
        };
        for (const part of splitAt(bytes, positions)) {
          // Node's Buffers decode with utf8Slice, plain Uint8Arrays with TextDecoder: both must agree.
          lines.push(asBuffer ? Buffer.from(part) : part);
          drain();
        }
        lines.end();
        drain();
        parser.end();
        expect(output).toEqual(feedAll([text]));
      }),
      { numRuns: 1000 },
    );
  });

  it("agrees with eventsource-parser on arbitrary input (events, retries, comments)", () => {
    const token = fc.constantFrom(
      "data",
      "event",
      "id",
      "retry",
      ":",
      " ",
      "\n",
      "\n",
      "\r",
      "\r\n",
      "a",
      "é",
      "😀",
      "\0",
      "1",
      "x",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), cuts, (tokens, positions) => {
        // The trailing blank line settles any pending line and event the same way in both parsers,
        // so the comparison neither depends on our end() deviation nor on when a final CR is seen.
        const text = `${tokens.join("")}\n\n`;
        const theirs: Output = { events: [], retries: [], comments: [] };
        const reference = createParser({
          onEvent: (event) => theirs.events.push({ event: event.event, data: event.data, id: event.id }),
          onRetry: (ms) => theirs.retries.push(ms),
          onComment: (comment) => theirs.comments.push(comment),
        });
        reference.feed(text);
        const ours = feedAll(splitAt(text, positions), false);
        expect(ours.retries).toEqual(theirs.retries);
        expect(ours.comments).toEqual(theirs.comments);
        expect(ours.events.map(({ event, data }) => ({ event, data }))).toEqual(
          theirs.events.map(({ event, data }) => ({ event, data })),
        );
        // eventsource-parser forgets the id after each event; we keep it as the spec says. Where it
        // reports an id, ours must match (an empty id means "unset" for us).
        theirs.events.forEach((event, index) => {
          if (event.id !== undefined)
            expect(ours.events[index]?.id).toBe(event.id === "" ? undefined : event.id);
        });
      }),
      { numRuns: 2000 },
    );
  });
});
