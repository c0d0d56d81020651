import { ProtocolError } from "../errors/ProtocolError.js";

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
   * If the next line is empty and its line break is already buffered, consumes it and returns true:
   * the usual end of an SSE event, recognised without decoding a line.
   */
  skipBlankLine(): boolean;
  /** Pushed chunks not yet read to their end: what a transport pauses the socket on. */
  readonly bufferedChunks: number;
  /** True once `end()` was called and every line has been read. */
  readonly done: boolean;
  /** Forgets everything, as if the reader were new. */
  reset(): void;
}

const LF = 10;
const CR = 13;
const BOM = 0xfeff;
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

// `ignoreBOM: true`: each line is decoded on its own, so a BOM must only be removed at the stream start.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

type NodeBuffer = Uint8Array & { utf8Slice?: (start: number, end: number) => string };

/** Node's `Buffer#utf8Slice` where there is one (no subarray, no call overhead), TextDecoder elsewhere. */
function decode(bytes: NodeBuffer, start: number, end: number): string {
  if (start === end) return "";
  if (bytes.utf8Slice !== undefined) return bytes.utf8Slice(start, end);
  return decoder.decode(bytes.subarray(start, end));
}

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

  let chunks: NodeBuffer[] = [];
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
        const chunk = chunks[head] as NodeBuffer;
        if (skipLf) {
          skipLf = false;
          if (chunk[position] === LF && ++position === chunk.length) {
            advance();
            continue;
          }
        }
        if (nextLf < position) {
          nextLf = chunk.indexOf(LF, position);
          if (nextLf === -1) nextLf = chunk.length;
        }
        if (crBreaks && nextCr < position) {
          nextCr = chunk.indexOf(CR, position);
          if (nextCr === -1) nextCr = chunk.length;
        }
        const lineEnd = crBreaks && nextCr < nextLf ? nextCr : nextLf;
        if (lineEnd === chunk.length) {
          pieceBytes += lineEnd - position;
          if (pieceBytes > maxLineLength + 1) tooLong();
          pieces.push(position === 0 ? chunk : chunk.subarray(position));
          advance();
          continue;
        }
        let contentEnd = lineEnd;
        if (!crBreaks && lineEnd > position && chunk[lineEnd - 1] === CR) contentEnd--;
        let line: string;
        if (pieces.length === 0) {
          if (contentEnd - position > maxLineLength) tooLong();
          line = decode(chunk, position, contentEnd);
        } else {
          pieces.push(chunk.subarray(position, lineEnd));
          let total = pieceBytes + lineEnd - position;
          const joined = join(pieces, total);
          pieces = [];
          pieceBytes = 0;
          // NDJSON: the CR before the LF may have ended the previous piece.
          if (!crBreaks && total > 0 && joined[total - 1] === CR) total--;
          if (total > maxLineLength) tooLong();
          line = decode(joined, 0, total);
        }
        position = lineEnd + 1;
        if (crBreaks && chunk[lineEnd] === CR) {
          if (position === chunk.length) skipLf = true;
          else if (chunk[position] === LF) position++;
        }
        if (position === chunk.length) advance();
        return finishLine(line);
      }
      if (ended && pieces.length > 0) {
        let total = pieceBytes;
        const joined = join(pieces, total);
        pieces = [];
        pieceBytes = 0;
        if (!crBreaks && joined[total - 1] === CR) total--;
        if (total > maxLineLength) tooLong();
        const line = finishLine(decode(joined, 0, total));
        // Nothing after the last line break but a BOM or a CR: there is no further line.
        if (line !== "") return line;
      }
      return undefined;
    },
    skipBlankLine() {
      if (head === chunks.length || pieces.length > 0) return false;
      const chunk = chunks[head] as NodeBuffer;
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
