/** Where the one string that varies between documents sits, in a parsed document. */
export interface TemplateSlot {
  holder: Record<string, unknown>;
  key: string;
}

/** Options of {@link createTemplateJsonParser}. */
export interface TemplateJsonParserOptions {
  /**
   * Finds the varying string field in a parsed document (for OpenAI chunks: `choices[0].delta.content`),
   * or `undefined` when the document has none worth learning.
   */
  locate(value: unknown): TemplateSlot | undefined;
}

/** A `JSON.parse` for a stream of documents that differ in one string value. */
export interface TemplateJsonParser {
  /**
   * Parses `text` exactly as `JSON.parse` does, and throws what it throws. The object returned may be
   * handed out again, with the slot changed, by the next call: read it before parsing the next
   * document, and do not keep it.
   */
  parse(text: string): unknown;
  /**
   * Fast lane, twin of `parse()`, for a document given as UTF-8 bytes, `bytes[start, end)`, answered only when it is the
   * learned template around a literal without escapes: returns the document as `parse` would, or
   * `undefined` (then decode the text and call `parse`). Saves decoding the whole document to a
   * string. Needs Node's `Buffer#utf8Slice`; elsewhere it always returns `undefined`.
   */
  parseBytes(bytes: Uint8Array, start: number, end: number): unknown;
  /** Forgets the learned template. */
  reset(): void;
}

interface Template {
  prefix: string;
  suffix: string;
  /** `prefix` and `suffix` as UTF-8. */
  prefixBytes: Uint8Array;
  suffixBytes: Uint8Array;
  /** The template document, reused: only `slot.holder[slot.key]` changes. */
  value: unknown;
  slot: TemplateSlot;
}

type NodeBuffer = Uint8Array & { utf8Slice?: (start: number, end: number) => string };

const encoder = new TextEncoder();
const QUOTE = 34;
const BACKSLASH = 92;
/** A value no real document carries in the slot, used to prove where the slot is. */
const PROBE = "\u0001\u0002";
const PROBE_LITERAL = '"\\u0001\\u0002"';
/** At most this many occurrences of the key are tried when learning. */
const MAX_CANDIDATES = 4;
/** Learning is skipped for up to this many documents after templates keep failing (e.g. a timestamp per chunk). */
const MAX_SKIP = 256;

/**
 * Creates a parser that learns the text around the varying string of a document stream: after one full
 * `JSON.parse`, a document that is byte-for-byte the learned prefix, one JSON string literal, and the
 * learned suffix is answered by slicing out that literal. Streaming servers (vLLM, llama.cpp, LM
 * Studio, Ollama's `/v1`) repeat the same chunk around each token, so most chunks skip the full parse.
 *
 * Why this is exact: a template is only learned after `JSON.parse(prefix + PROBE + suffix)` put the
 * probe string into the slot, which proves the prefix ends outside a string and that the literal
 * between prefix and suffix is the slot's value. Replacing one string literal by another leaves
 * every other token, and so the whole parse, unchanged. Anything else goes through `JSON.parse`.
 *
 * @example
 * ```ts
 * const parser = createTemplateJsonParser({
 *   locate: (v) => ({ holder: (v as { delta: Record<string, unknown> }).delta, key: "content" }),
 * });
 * parser.parse('{"id":"x","delta":{"content":"Hel"}}'); // full parse, learns the template
 * parser.parse('{"id":"x","delta":{"content":"lo"}}'); // sliced: { id: "x", delta: { content: "lo" } }
 * ```
 */
export function createTemplateJsonParser(options: TemplateJsonParserOptions): TemplateJsonParser {
  const { locate } = options;
  let template: Template | undefined;
  let skip = 0;
  let skipped = 0;
  let fresh = false;

  function fast(text: string, t: Template): boolean {
    const start = t.prefix.length;
    const end = text.length - t.suffix.length;
    // Compared as slices with ===: V8 compares flat strings with memcmp, several times faster here than
    // startsWith/endsWith (measured: ~100 ns vs ~280 ns for a 200-character chunk).
    if (end - start < 2 || text.slice(0, start) !== t.prefix || text.slice(end) !== t.suffix) return false;
    if (text.charCodeAt(start) !== QUOTE || text.charCodeAt(end - 1) !== QUOTE) return false;
    for (let i = start + 1; i < end - 1; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE || code === BACKSLASH || code < 0x20) {
        // Escapes (or something that is not one literal): let JSON.parse judge the literal alone.
        let value: unknown;
        try {
          value = JSON.parse(text.slice(start, end));
        } catch {
          return false;
        }
        if (typeof value !== "string") return false;
        t.slot.holder[t.slot.key] = value;
        return true;
      }
    }
    t.slot.holder[t.slot.key] = text.slice(start + 1, end - 1);
    return true;
  }

  function learn(text: string, value: unknown): void {
    const slot = locate(value);
    if (slot === undefined) return;
    const needle = `"${slot.key}"`;
    let from = 0;
    for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
      const at = text.indexOf(needle, from);
      if (at === -1) return;
      from = at + needle.length;
      let i = skipWhitespace(text, from);
      if (text.charCodeAt(i) !== 58) continue;
      i = skipWhitespace(text, i + 1);
      if (text.charCodeAt(i) !== QUOTE) continue;
      const close = literalEnd(text, i);
      if (close === -1) return;
      const prefix = text.slice(0, i);
      const suffix = text.slice(close + 1);
      let probe: unknown;
      try {
        probe = JSON.parse(prefix + PROBE_LITERAL + suffix);
      } catch {
        continue;
      }
      const probeSlot = locate(probe);
      if (probeSlot === undefined || probeSlot.key !== slot.key || probeSlot.holder[slot.key] !== PROBE)
        continue;
      // The original value differs from the probe, so the literal replaced was the slot's own.
      if (slot.holder[slot.key] === PROBE) return;
      template = {
        prefix,
        suffix,
        prefixBytes: encoder.encode(prefix),
        suffixBytes: encoder.encode(suffix),
        value: probe,
        slot: probeSlot,
      };
      fresh = true;
      return;
    }
  }

  return {
    parse(text) {
      if (template !== undefined && fast(text, template)) {
        fresh = false;
        skip = 0;
        return template.value;
      }
      const value: unknown = JSON.parse(text);
      if (fresh) {
        // The template just learned did not fit the very next document: learn less often.
        skip = Math.min(MAX_SKIP, skip * 2 + 1);
        fresh = false;
      }
      if (skipped < skip) skipped++;
      else {
        skipped = 0;
        learn(text, value);
      }
      return value;
    },
    parseBytes(bytes, start, end) {
      const t = template;
      const buffer = bytes as NodeBuffer;
      if (t === undefined || buffer.utf8Slice === undefined) return undefined;
      const { prefixBytes, suffixBytes } = t;
      const open = start + prefixBytes.length;
      const close = end - suffixBytes.length - 1;
      if (close <= open || buffer[open] !== QUOTE || buffer[close] !== QUOTE) return undefined;
      for (let i = open + 1; i < close; i++) {
        const code = buffer[i] as number;
        if (code === QUOTE || code === BACKSLASH || code < 0x20) return undefined;
      }
      // Byte-for-byte the template's text, so the decoded document would be too: ASCII quotes delimit
      // the literal, and UTF-8 decodes the bytes between them the same alone as within the document.
      // (Plain loops: Buffer#compare was faster in a flood, but its argument checks, run cold once per
      // event of a paced stream, added latency: 8 of 10 paired runs, ~+8 µs median.)
      for (let i = 0; i < suffixBytes.length; i++)
        if (buffer[close + 1 + i] !== suffixBytes[i]) return undefined;
      for (let i = 0; i < prefixBytes.length; i++) if (buffer[start + i] !== prefixBytes[i]) return undefined;
      t.slot.holder[t.slot.key] = buffer.utf8Slice(open + 1, close);
      fresh = false;
      skip = 0;
      return t.value;
    },
    reset() {
      template = undefined;
      skip = 0;
      skipped = 0;
      fresh = false;
    },
  };
}

function skipWhitespace(text: string, index: number): number {
  let i = index;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return i;
    i++;
  }
}

/** The index of the quote closing the string literal that opens at `open`, or -1. */
function literalEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return -1;
}
