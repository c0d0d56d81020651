import { ProtocolError } from "../errors/ProtocolError.js";
import { decodeUtf8 } from "./decodeUtf8.js";

/** Options of {@link createLineReader}. */
export interface LineReaderOptions {
  /**
   * Which bytes end a line. `"cr-lf"`: LF, CR and CRLF, as server-sent events define them. `"lf"`:
   * LF only, a CR just before it dropped, as NDJSON is written.
   */
  breaks: "cr-lf" | "lf";
  /**
   * Max UTF-8 bytes of one line. A longer line makes `next()` throw a `ProtocolError` with reason
   * `line-too-long`; memory stays near the limit because a partial line is kept as pieces.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
  /** What the error message calls a line ("SSE line", "NDJSON line"). @defaultValue "line" */
  label?: string;
}

/**
 * A pull parser that splits a UTF-8 byte stream into decoded lines. Synchronous and free of I/O.
 * Bytes are split at LF/CR bytes and only whole lines are decoded, so a character split across
 * chunks is joined, and no string ever holds more than one line: a long stream leaves nothing on
 * the heap between lines.
 */
export interface LineReader {
  /** Queues a chunk of bytes (kept, not copied; do not modify it afterwards). */
  push(chunk: Uint8Array): void;
  /** No more bytes will come: a last line without a line break becomes readable. */
  end(): void;
  /**
   * The next complete line without its line break, or `undefined` when no complete line is buffered
   * (after `end()`: when everything has been read; an empty last line without a line break is not a
   * line). A leading U+FEFF of the stream is removed.
   */
  next(): string | undefined;
  /**
   * Fast lane, twin of `next()`, without decoding: when the next complete line lies within one pushed
   * chunk (the usual case), consumes it, points `raw` at its bytes (without the line break) and returns true.
   * Returns false, consuming nothing, when no complete line is buffered, the line spans chunks, or it
   * is the stream's first line (which may start with a BOM): then call `next()`.
   */
  nextRaw(): boolean;
  /** The bytes of the line `nextRaw()` returned last: `bytes[start, end)`. Overwritten by the next call. */
  readonly raw: RawLine;
  /**
   * Fast lane, twin of a `next()` that returns "": if the next line is empty and its line break is
   * already buffered, consumes it and returns true: the usual end of an SSE event, recognised without
   * decoding a line.
   */
  skipBlankLine(): boolean;
  /** Pushed chunks not yet read to their end: what a transport pauses the socket on. */
  readonly bufferedChunks: number;
  /** True once `end()` was called and every line has been read. */
  readonly done: boolean;
  /** Forgets everything, as if the reader were new. */
  reset(): void;
}

/** Where a line's bytes are, without copying them. */
export interface RawLine {
  bytes: Uint8Array;
  start: number;
  end: number;
}

const LF = 10;
const CR = 13;
const BOM = 0xfeff;
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

function join(pieces: Uint8Array[], total: number): Uint8Array {
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

/**
 * Creates a {@link LineReader}.
 *
 * @example
 * ```ts
 * const lines = createLineReader({ breaks: "cr-lf" });
 * lines.push(new TextEncoder().encode("data: a\r\n\r\ndata: "));
 * lines.push(new TextEncoder().encode("b\n"));
 * for (let line = lines.next(); line !== undefined; line = lines.next()) console.log(JSON.stringify(line));
 * // "data: a", "", "data: b"
 * ```
 */
export function createLineReader(options: LineReaderOptions): LineReader {
  const crBreaks = options.breaks === "cr-lf";
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const label = options.label ?? "line";
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 1) {
    throw new RangeError(`maxLineLength must be a positive integer, got ${String(maxLineLength)}`);
  }

  let chunks: Uint8Array[] = [];
  let head = 0;
  let position = 0;
  // Where the next LF / CR of chunks[head] is (its length if none): each byte is scanned once.
  let nextLf = -1;
  let nextCr = -1;
  // A partial line spanning chunks, as pieces (copied once, when the line is complete).
  let pieces: Uint8Array[] = [];
  let pieceBytes = 0;
  // The last line ended in CR at the very end of a chunk: an LF starting the next one belongs to it.
  let skipLf = false;
  let atStreamStart = true;
  let ended = false;
  const raw: RawLine = { bytes: new Uint8Array(0), start: 0, end: 0 };

  function tooLong(): never {
    reader.reset();
    throw new ProtocolError(
      "line-too-long",
      `${label} exceeded maxLineLength (${maxLineLength} bytes); raise the maxLineLength option if the server really sends that much, otherwise the response is malformed`,
    );
  }

  function advance(): void {
    chunks[head] = undefined as never;
    head++;
    position = 0;
    nextLf = -1;
    nextCr = -1;
    if (head === chunks.length) {
      chunks = [];
      head = 0;
    }
  }

  /** Drops the LF of a CRLF split across chunks; false when that used up the chunk. */
  function skipPendingLf(chunk: Uint8Array): boolean {
    if (!skipLf) return true;
    skipLf = false;
    if (chunk[position] === LF && ++position === chunk.length) {
      advance();
      return false;
    }
    return true;
  }

  /** Where the next line break of `chunk` is, from `position` on (its length if none). */
  function findBreak(chunk: Uint8Array): number {
    if (nextLf < position) {
      nextLf = chunk.indexOf(LF, position);
      if (nextLf === -1) nextLf = chunk.length;
    }
    if (crBreaks && nextCr < position) {
      nextCr = chunk.indexOf(CR, position);
      if (nextCr === -1) nextCr = chunk.length;
    }
    return crBreaks && nextCr < nextLf ? nextCr : nextLf;
  }

  /** Where the text of a line ending at the break `lineEnd` ends: NDJSON drops a CR before the LF. */
  function contentEndOf(chunk: Uint8Array, lineEnd: number): number {
    return !crBreaks && lineEnd > position && chunk[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
  }

  /** Moves past the break at `lineEnd` (a CRLF is one break, even split across chunks). */
  function passBreak(chunk: Uint8Array, lineEnd: number): void {
    position = lineEnd + 1;
    if (crBreaks && chunk[lineEnd] === CR) {
      if (position === chunk.length) skipLf = true;
      else if (chunk[position] === LF) position++;
    }
    if (position === chunk.length) advance();
  }

  function finishLine(line: string): string {
    if (atStreamStart) {
      atStreamStart = false;
      if (line.charCodeAt(0) === BOM) return line.slice(1);
    }
    return line;
  }

  const reader: LineReader = {
    push(chunk) {
      if (chunk.length > 0) chunks.push(chunk);
    },
    end() {
      ended = true;
    },
    next() {
      while (head < chunks.length) {
        const chunk = chunks[head] as Uint8Array;
        if (!skipPendingLf(chunk)) continue;
        const lineEnd = findBreak(chunk);
        if (lineEnd === chunk.length) {
          pieceBytes += lineEnd - position;
          if (pieceBytes > maxLineLength + 1) tooLong();
          pieces.push(position === 0 ? chunk : chunk.subarray(position));
          advance();
          continue;
        }
        let line: string;
        if (pieces.length === 0) {
          const contentEnd = contentEndOf(chunk, lineEnd);
          if (contentEnd - position > maxLineLength) tooLong();
          line = decodeUtf8(chunk, position, contentEnd);
        } else {
          pieces.push(chunk.subarray(position, lineEnd));
          let total = pieceBytes + lineEnd - position;
          const joined = join(pieces, total);
          pieces = [];
          pieceBytes = 0;
          // NDJSON: the CR before the LF may have ended the previous piece.
          if (!crBreaks && total > 0 && joined[total - 1] === CR) total--;
          if (total > maxLineLength) tooLong();
          line = decodeUtf8(joined, 0, total);
        }
        passBreak(chunk, lineEnd);
        return finishLine(line);
      }
      if (ended && pieces.length > 0) {
        let total = pieceBytes;
        const joined = join(pieces, total);
        pieces = [];
        pieceBytes = 0;
        if (!crBreaks && joined[total - 1] === CR) total--;
        if (total > maxLineLength) tooLong();
        const line = finishLine(decodeUtf8(joined, 0, total));
        // Nothing after the last line break but a BOM or a CR: there is no further line.
        if (line !== "") return line;
      }
      return undefined;
    },
    nextRaw() {
      if (atStreamStart || pieces.length > 0 || head === chunks.length) return false;
      const chunk = chunks[head] as Uint8Array;
      if (!skipPendingLf(chunk)) return false;
      const lineEnd = findBreak(chunk);
      if (lineEnd === chunk.length) return false;
      const contentEnd = contentEndOf(chunk, lineEnd);
      if (contentEnd - position > maxLineLength) tooLong();
      raw.bytes = chunk;
      raw.start = position;
      raw.end = contentEnd;
      passBreak(chunk, lineEnd);
      return true;
    },
    raw,
    skipBlankLine() {
      if (head === chunks.length || pieces.length > 0) return false;
      const chunk = chunks[head] as Uint8Array;
      let at = position;
      if (skipLf && chunk[at] === LF) at++;
      const byte = chunk[at];
      let endsInCr = false;
      if (byte === LF) at++;
      else if (crBreaks && byte === CR) {
        at++;
        if (at === chunk.length) endsInCr = true;
        else if (chunk[at] === LF) at++;
      } else return false;
      skipLf = endsInCr;
      atStreamStart = false;
      position = at;
      if (position === chunk.length) advance();
      return true;
    },
    get bufferedChunks() {
      return chunks.length - head;
    },
    get done() {
      return ended && head === chunks.length && pieces.length === 0;
    },
    reset() {
      chunks = [];
      head = 0;
      position = 0;
      nextLf = -1;
      nextCr = -1;
      pieces = [];
      pieceBytes = 0;
      skipLf = false;
      atStreamStart = true;
      ended = false;
    },
  };
  return reader;
}
