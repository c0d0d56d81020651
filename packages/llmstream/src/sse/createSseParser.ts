import { ProtocolError } from "../errors/ProtocolError.js";
import { createSseLineParser, type SseLineParserOptions } from "./createSseLineParser.js";
import { dataValueStart } from "./dataValueStart.js";

export type { SseEvent } from "./createSseLineParser.js";

/**
 * Callbacks and limits of {@link createSseParser}: `onEvent` for each dispatched event, `onRetry` for
 * a valid `retry:` field (ASCII digits only, in ms), `onComment` for a `:` line (one leading space
 * removed), and `maxLineLength`. Callbacks run synchronously inside `feed()` / `end()`.
 *
 * @example
 * ```ts
 * import { createSseParser, ProtocolError } from "llmstream/sse";
 *
 * const parser = createSseParser({
 *   onEvent: (event) => console.log(event.event, event.id, event.data),
 *   onRetry: (ms) => console.log("retry", ms),
 *   onComment: (text) => console.log("comment", text),
 *   maxLineLength: 1024,
 * });
 * parser.feed(": keep-alive\nretry: 3000\nid: 7\nevent: delta\ndata: hi\n\n");
 * // → comment keep-alive
 * // → retry 3000
 * // → delta 7 hi
 * try {
 *   parser.feed(`data: ${"x".repeat(2000)}\n`);
 * } catch (error) {
 *   if (error instanceof ProtocolError) console.log(error.reason); // → line-too-long
 * }
 * ```
 */
export interface SseParserOptions extends SseLineParserOptions {
  /**
   * Max characters of one line AND of one event's accumulated data. Exceeding it makes `feed()` throw
   * a `ProtocolError` with reason `line-too-long` and resets the parser.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
}

/**
 * A push parser for a `text/event-stream` body, made by {@link createSseParser}. Synchronous and free
 * of I/O: feed it decoded text as it arrives, call `end()` when the body ends.
 *
 * @example
 * ```ts
 * import { createSseParser } from "llmstream/sse";
 *
 * const parser = createSseParser({ onEvent: (event) => console.log(event.data) });
 * parser.feed("data: a last event\r\ndata: without its blank line");
 * parser.end();
 * // → a last event
 * // → without its blank line
 * ```
 */
export interface SseParser {
  /** Parses the next piece of decoded text; chunks may split lines, CRLF pairs and fields anywhere. */
  feed(chunk: string): void;
  /** End of input: dispatch a final event that lacks its trailing blank line, then reset. */
  end(): void;
  /** Forgets all state, as if the parser were new (a following BOM is stripped again). */
  reset(): void;
}

const LF = 10;
const CR = 13;
const BOM = 0xfeff;

/** The default of {@link SseParserOptions.maxLineLength}: 8 Mi characters. */
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * Creates a parser for server-sent events, following the WHATWG "Parsing an event stream" rules:
 * LF, CR and CRLF line endings (also split across chunks), comments, `event`, `data` (multi-line,
 * joined with "\n"), `id` (ignored when it contains NUL), `retry` (digits only), one space after the
 * colon stripped, unknown fields ignored, a leading U+FEFF stripped, events without data not
 * dispatched.
 *
 * One deliberate deviation: `end()` dispatches a last event that has data but no terminating blank
 * line, because servers often omit it and the text was clearly delivered. The spec discards it.
 *
 * Memory is bounded by `maxLineLength`: a partial line is kept as a list of pieces and joined once.
 * If a callback throws, the exception propagates out of `feed()`, the rest of that chunk is not
 * parsed, and the parser is reset (as after a `line-too-long` error), so it can take a new stream.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 * @example
 * ```ts
 * import { createSseParser } from "llmstream/sse";
 *
 * const parser = createSseParser({ onEvent: (event) => console.log(JSON.parse(event.data).a) });
 * parser.feed('data: {"a":1}\n\ndata: {"a"'); // → 1
 * parser.feed(":2}\n\n"); // → 2
 * parser.end();
 * ```
 */
export function createSseParser(options: SseParserOptions): SseParser {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 1) {
    throw new RangeError(`maxLineLength must be a positive integer, got ${String(maxLineLength)}`);
  }

  const lines = createSseLineParser({ ...options, maxLineLength });
  // The partial line at the end of the last chunk, as pieces (joining once avoids O(n²) copying).
  let pending: string[] = [];
  let pendingLength = 0;
  // The last chunk ended in CR: an LF at the start of the next one belongs to the same line break.
  let skipLeadingLf = false;
  let atStreamStart = true;

  function resetState(): void {
    pending = [];
    pendingLength = 0;
    skipLeadingLf = false;
    atStreamStart = true;
    lines.reset();
  }

  function tooLong(what: string): never {
    resetState();
    throw new ProtocolError(
      "line-too-long",
      `SSE ${what} exceeded maxLineLength (${maxLineLength} characters); raise the maxLineLength option if the server really sends that much, otherwise the response is not a valid event stream`,
    );
  }

  /** Handles one complete line `chunk[start, end)`, prefixed by the pending partial line if any. */
  function completeLine(chunk: string, start: number, end: number): void {
    if (pending.length === 0) {
      if (end - start > maxLineLength) tooLong("line");
      lines.line(chunk, start, end);
      return;
    }
    const rest = chunk.slice(start, end);
    // One piece is the usual case (a line split between two chunks); "+" is cheaper than join there.
    const line = pending.length === 1 ? pending[0]! + rest : `${pending.join("")}${rest}`;
    pending.length = 0;
    pendingLength = 0;
    if (line.length > maxLineLength) tooLong("line");
    lines.line(line, 0, line.length);
  }

  function keepPartial(chunk: string, start: number): void {
    const piece = start === 0 ? chunk : chunk.slice(start);
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength > maxLineLength) tooLong("line");
  }

  /**
   * Where the value starts if `chunk[start, end)` is a "data:" line that can be dispatched straight
   * from the chunk as a whole event, without touching the data buffer (the typical event: one data
   * line and a blank line), else -1.
   */
  function loneDataValueStart(chunk: string, start: number, end: number): number {
    if (!lines.idle || pending.length > 0 || end - start > maxLineLength) return -1;
    return dataValueStart(chunk, start, end);
  }

  /** The common case: no CR anywhere in the chunk, so lines end at LF only. */
  function feedLfOnly(chunk: string, position: number): void {
    let lf = chunk.indexOf("\n", position);
    while (lf !== -1) {
      const valueStart = chunk.charCodeAt(lf + 1) === LF ? loneDataValueStart(chunk, position, lf) : -1;
      if (valueStart !== -1) {
        const data = chunk.slice(valueStart, lf);
        position = lf + 2;
        lf = chunk.indexOf("\n", position);
        lines.dispatchData(data);
        continue;
      }
      completeLine(chunk, position, lf);
      position = lf + 1;
      lf = chunk.indexOf("\n", position);
    }
    if (position < chunk.length) keepPartial(chunk, position);
  }

  function feedMixed(chunk: string, position: number): void {
    const length = chunk.length;
    let cr = chunk.indexOf("\r", position);
    let lf = chunk.indexOf("\n", position);
    for (;;) {
      if (cr !== -1 && cr < position) cr = chunk.indexOf("\r", position);
      if (lf !== -1 && lf < position) lf = chunk.indexOf("\n", position);
      const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf;
      if (end === -1) break;
      let next = end + 1;
      if (end === cr && chunk.charCodeAt(next) === LF) next++;
      const after = chunk.charCodeAt(next);
      const valueStart = after === LF || after === CR ? loneDataValueStart(chunk, position, end) : -1;
      if (valueStart !== -1) {
        // `next` starts the blank line; step over its terminator too.
        position = next + 1;
        if (after === CR) {
          if (position === length) skipLeadingLf = true;
          else if (chunk.charCodeAt(position) === LF) position++;
        }
        lines.dispatchData(chunk.slice(valueStart, end));
        continue;
      }
      completeLine(chunk, position, end);
      position = next;
      if (end === cr && end + 1 === length) skipLeadingLf = true;
    }
    if (position < length) keepPartial(chunk, position);
  }

  return {
    feed(chunk: string): void {
      if (chunk.length === 0) return;
      let position = 0;
      if (atStreamStart) {
        atStreamStart = false;
        if (chunk.charCodeAt(0) === BOM) position = 1;
      }
      if (skipLeadingLf) {
        skipLeadingLf = false;
        if (chunk.charCodeAt(0) === LF) position = 1;
      }
      // A throwing callback leaves the parser as new, not halfway through an event, on the fast lane
      // too. One try per chunk rather than one per line: the per-line one showed in bench:sse's
      // multi-line body.
      try {
        // One scan per chunk keeps the LF-only path free of CR bookkeeping.
        if (chunk.indexOf("\r", position) === -1) feedLfOnly(chunk, position);
        else feedMixed(chunk, position);
      } catch (error) {
        resetState();
        throw error;
      }
    },
    end(): void {
      try {
        if (pending.length > 0) {
          const line = pending.join("");
          pending = [];
          pendingLength = 0;
          lines.line(line, 0, line.length);
        }
        lines.end();
      } finally {
        resetState();
      }
    },
    reset: resetState,
  };
}
