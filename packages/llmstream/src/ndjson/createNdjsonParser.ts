import { ProtocolError } from "../errors/ProtocolError.js";
import { isBlankLine } from "./isBlankLine.js";

/**
 * Callbacks and limits of {@link createNdjsonParser}.
 *
 * @example
 * ```ts
 * import { createNdjsonParser, ProtocolError } from "llmstream/ndjson";
 *
 * const parser = createNdjsonParser({ onLine: (line) => console.log(line), maxLineLength: 64 });
 * parser.feed('{"done":false}\r\n\n  \n{"done":true}\n'); // blank lines are skipped, CR removed
 * // → {"done":false}
 * // → {"done":true}
 * try {
 *   parser.feed(`{"text":"${"x".repeat(100)}`);
 * } catch (error) {
 *   if (error instanceof ProtocolError) console.log(error.reason); // → line-too-long
 * }
 * ```
 */
export interface NdjsonParserOptions {
  /** Called once per non-blank line, without its line ending, synchronously from `feed()` / `end()`. */
  onLine: (line: string) => void;
  /**
   * Max characters of one line (a trailing CR not counted). Exceeding it makes `feed()` throw a
   * `ProtocolError` with reason `line-too-long` and resets the parser.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
}

/**
 * A push parser that splits newline-delimited JSON text into lines, made by {@link createNdjsonParser}.
 * Synchronous and free of I/O: feed it decoded text as it arrives, call `end()` when the body ends.
 *
 * @example
 * ```ts
 * import { createNdjsonParser } from "llmstream/ndjson";
 *
 * const parser = createNdjsonParser({ onLine: (line) => console.log(JSON.parse(line).n) });
 * parser.feed('{"n":1}\n{"n":2}'); // → 1
 * parser.end(); // → 2
 * ```
 */
export interface NdjsonParser {
  /** Parses the next piece of decoded text; chunks may split lines and CRLF pairs anywhere. */
  feed(chunk: string): void;
  /** End of input: emit a final line that lacks its newline, then reset. */
  end(): void;
  /** Forgets the partial line, as if the parser were new. */
  reset(): void;
}

const CR = 13;

/** The default of {@link NdjsonParserOptions.maxLineLength}: 8 Mi characters. */
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * Creates a parser for NDJSON (as Ollama streams it): lines end at LF, a trailing CR is removed
 * (CRLF tolerated), and lines holding only JSON whitespace (space, tab, CR) are skipped. A lone CR is
 * not a line break. Lines are passed on unparsed, so the caller decides how to handle bad JSON.
 *
 * Memory is bounded by `maxLineLength`: a partial line is kept as a list of pieces and joined once.
 * If `onLine` throws, the exception propagates out of `feed()` and the rest of that chunk is not
 * parsed; call `reset()` before reusing the parser.
 *
 * @see https://github.com/ndjson/ndjson-spec
 * @example
 * ```ts
 * import { createNdjsonParser } from "llmstream/ndjson";
 *
 * const parser = createNdjsonParser({ onLine: (line) => console.log(JSON.parse(line).a) });
 * parser.feed('{"a":1}\n{"a"'); // → 1
 * parser.feed(":2}");
 * parser.end(); // → 2
 * ```
 */
export function createNdjsonParser(options: NdjsonParserOptions): NdjsonParser {
  const { onLine } = options;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 1) {
    throw new RangeError(`maxLineLength must be a positive integer, got ${String(maxLineLength)}`);
  }

  // The partial line at the end of the last chunk, as pieces (joining once avoids O(n²) copying).
  let pending: string[] = [];
  let pendingLength = 0;

  function resetState(): void {
    pending = [];
    pendingLength = 0;
  }

  function tooLong(): never {
    resetState();
    throw new ProtocolError(
      "line-too-long",
      `NDJSON line exceeded maxLineLength (${maxLineLength} characters); raise the maxLineLength option if the server really sends such long lines, otherwise the response is not valid NDJSON`,
    );
  }

  /** Emits `text[start, end)` unless it is blank; `end` excludes the LF but may include a CR. */
  function emit(text: string, start: number, end: number): void {
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    if (end - start > maxLineLength) tooLong();
    if (!isBlankLine(text, start, end)) {
      onLine(start === 0 && end === text.length ? text : text.slice(start, end));
    }
  }

  return {
    feed(chunk: string): void {
      let position = 0;
      let lf = chunk.indexOf("\n");
      if (lf !== -1 && pending.length > 0) {
        const rest = chunk.slice(0, lf);
        // One piece is the usual case (a line split between two chunks); "+" is cheaper than join there.
        const line = pending.length === 1 ? pending[0]! + rest : `${pending.join("")}${rest}`;
        pending.length = 0;
        pendingLength = 0;
        emit(line, 0, line.length);
        position = lf + 1;
        lf = chunk.indexOf("\n", position);
      }
      while (lf !== -1) {
        emit(chunk, position, lf);
        position = lf + 1;
        lf = chunk.indexOf("\n", position);
      }
      if (position < chunk.length) {
        const piece = position === 0 ? chunk : chunk.slice(position);
        pending.push(piece);
        pendingLength += piece.length;
        // One extra character of slack: the line may still turn out to end in CR, which is not counted.
        if (pendingLength > maxLineLength + 1) tooLong();
      }
    },
    end(): void {
      if (pending.length === 0) return;
      const line = pending.join("");
      resetState();
      emit(line, 0, line.length);
    },
    reset: resetState,
  };
}
