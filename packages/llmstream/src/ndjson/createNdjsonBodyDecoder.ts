import type { BodyDecoder } from "../lines/BodyDecoder.js";
import { createLineReader } from "../lines/createLineReader.js";
import { isBlankLine } from "./isBlankLine.js";

/** Options of {@link createNdjsonBodyDecoder}. */
export interface NdjsonBodyDecoderOptions {
  /** Called with each line that is not blank, without its line break (a CR before the LF dropped). */
  onLine(line: string): void;
  /**
   * Max UTF-8 bytes of one line; more throws a `ProtocolError` with reason `line-too-long`.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
}

/**
 * Decodes a newline-delimited JSON body (Ollama's native stream) from bytes: lines split at LF, a BOM
 * at the start removed, blank lines skipped. The JSON itself is left to `onLine`, which knows the
 * dialect and how to report a malformed line. There is no byte lane: Ollama's chunks differ in a
 * timestamp as well as the token, so a template could not be learned.
 *
 * @example
 * ```ts
 * const decoder = createNdjsonBodyDecoder({ onLine: (line) => console.log(JSON.parse(line)) });
 * decoder.push(new TextEncoder().encode('{"a":1}\n\n{"a":2}\n'));
 * while (decoder.decode()); // logs { a: 1 }, { a: 2 }
 * ```
 */
export function createNdjsonBodyDecoder(options: NdjsonBodyDecoderOptions): BodyDecoder {
  const { onLine, maxLineLength } = options;
  const lines = createLineReader({
    breaks: "lf",
    label: "NDJSON line",
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
  });
  return {
    push(chunk) {
      lines.push(chunk);
    },
    end() {
      lines.end();
    },
    decode() {
      const line = lines.next();
      if (line === undefined) return false;
      if (!isBlankLine(line)) onLine(line);
      return true;
    },
  };
}
