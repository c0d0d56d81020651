import type { BodyDecoder } from "../lines/BodyDecoder.js";
import { createLineReader } from "../lines/createLineReader.js";
import { decodeUtf8 } from "../lines/decodeUtf8.js";
import { createSseLineParser } from "./createSseLineParser.js";
import { dataValueStart } from "./dataValueStart.js";
import { dataValueStartInBytes } from "./dataValueStartInBytes.js";

/**
 * The byte lane of {@link createSseBodyDecoder}: handles the data value `bytes[start, end)` of a
 * complete event with no `event:` type, read straight from the body's bytes, and returns true; or
 * returns false, handling nothing, when it cannot read it from bytes (then the value is decoded and
 * handed to `onData`). For OpenAI chunks: the template parser's `parseBytes`, then the chunk handler.
 * The bytes are only valid during the call.
 */
export type SseByteLane = (bytes: Uint8Array, start: number, end: number) => boolean;

/** Options of {@link createSseBodyDecoder}. */
export interface SseBodyDecoderOptions {
  /**
   * Called once per dispatched event with its data (`data:` lines joined with "\n") and its
   * `event:` type (`undefined` when none or empty). The event ID is not passed on: no LLM dialect
   * reads it.
   */
  onData(data: string, eventName: string | undefined): void;
  /** The byte lane, for a dialect whose data can be read from bytes. */
  byteLane?: SseByteLane;
  /**
   * Max UTF-8 bytes of one line, and characters of one event's data; more throws a `ProtocolError`
   * with reason `line-too-long`.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
}

/**
 * Decodes a server-sent-events body from bytes: the line reader (LF, CR, CRLF, a BOM at the start),
 * the WHATWG field rules (`createSseLineParser`), and the fast lanes of the usual event, one `data:`
 * line followed by a blank line that is already buffered:
 * - the text lane: the event is handed to `onData` at once, without the blank line's round through
 *   the line parser;
 * - the byte lane (with `byteLane`): the same event is recognised before its line is decoded, and
 *   `byteLane` gets the value's bytes (a chunk that is the learned template around a plain token is
 *   read from them, and only the token decoded). What it declines is decoded and goes to `onData`;
 *   any other line is decoded and takes the text lane or the line parser.
 * Every lane gives the same events as the line parser alone, for any split of the bytes.
 *
 * @example
 * ```ts
 * const decoder = createSseBodyDecoder({ onData: (data) => console.log(data) });
 * decoder.push(new TextEncoder().encode('data: {"a":1}\n\n'));
 * while (decoder.decode()); // logs {"a":1}
 * ```
 */
export function createSseBodyDecoder(options: SseBodyDecoderOptions): BodyDecoder {
  const { onData, byteLane, maxLineLength } = options;
  const lines = createLineReader({
    breaks: "cr-lf",
    label: "SSE line",
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
  });
  const events = createSseLineParser({
    onEvent: (event) => onData(event.data, event.event),
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
  });
  const raw = lines.raw;
  let ended = false;

  /** The text lane, or the line parser. */
  const decodeLine = (line: string): void => {
    // With no event type yet and no data to join, a data line whose blank line is buffered is the
    // whole event. (The event ID persists across events and is not passed on, so it does not matter.)
    const valueStart = events.clean ? dataValueStart(line, 0, line.length) : -1;
    if (valueStart !== -1 && lines.skipBlankLine()) onData(line.slice(valueStart), undefined);
    else events.line(line);
  };

  /** The byte lane: the line `lines.nextRaw()` just read, handed on as bytes when it is a whole event. */
  const decodeRawLine = (lane: SseByteLane): void => {
    const { bytes, start, end } = raw;
    const valueStart = events.clean ? dataValueStartInBytes(bytes, start, end) : -1;
    if (valueStart === -1 || !lines.skipBlankLine()) decodeLine(decodeUtf8(bytes, start, end));
    else if (!lane(bytes, valueStart, end)) onData(decodeUtf8(bytes, valueStart, end), undefined);
  };

  return {
    push(chunk) {
      lines.push(chunk);
    },
    end() {
      lines.end();
    },
    decode() {
      if (byteLane !== undefined && lines.nextRaw()) {
        decodeRawLine(byteLane);
        return true;
      }
      const line = lines.next();
      if (line !== undefined) {
        decodeLine(line);
        return true;
      }
      if (lines.done && !ended) {
        // The body ended: an event that lacks its blank line is still delivered.
        ended = true;
        events.end();
        return true;
      }
      return false;
    },
  };
}
