/**
 * How a chunker cuts text:
 *
 * - `"grapheme"`: one chunk per user-perceived character (grapheme cluster).
 * - `"word"`: one chunk per word, with the whitespace and punctuation that follow it (`"Hello, "`), so
 *   the chunks concatenate to the input. Boundaries come from `Intl.Segmenter`, so Chinese, Japanese
 *   and Thai are cut into words too.
 * - `"sentence"`: one chunk per sentence (`Intl.Segmenter`), with its trailing whitespace.
 * - `"line"`: one chunk per line, ending with its `"\n"`.
 * - a `RegExp`: releases the text up to the end of each match (like the AI SDK's `smoothStream`).
 * - a function: given the held text, returns the length of the prefix to release, `0` to hold.
 */
export type ChunkBy = "grapheme" | "word" | "line" | "sentence" | RegExp | ((buffer: string) => number);

/** Options of {@link createChunker}. */
export interface ChunkerOptions {
  /** @defaultValue `"word"` */
  by?: ChunkBy;
  /** The locale for `Intl.Segmenter` (word and sentence rules differ a little by language). */
  locale?: string;
  /**
   * The most text (in UTF-16 code units) held back waiting for a boundary. Past it, everything up to
   * the last grapheme boundary is released, even mid-word or mid-line, so one endless word (a URL, a
   * base64 blob) cannot grow the buffer or stall the output.
   * @defaultValue 4096
   */
  maxBufferLength?: number;
}

/** A synchronous, I/O-free chunker: feed text deltas, get whole chunks back. */
export interface Chunker {
  /** Adds a text delta; returns the chunks it completed (often none). */
  push(text: string): string[];
  /** Releases everything held, as the last chunk(s). Call at the end of the stream. */
  flush(): string[];
  /** How much text (UTF-16 code units) is held back now. */
  readonly buffered: number;
}

/** The default of {@link ChunkerOptions.maxBufferLength}. */
export const defaultMaxBufferLength = 4096;

interface Segment {
  segment: string;
  isWordLike: boolean;
}

/**
 * Creates a chunker that re-cuts a stream of text deltas (which split words, emoji and CJK characters
 * anywhere) into whole graphemes, words, sentences, lines or custom pieces. The concatenation of all
 * chunks returned by `push` and `flush` always equals the concatenation of the input. No chunk
 * released by `push` ends inside a grapheme cluster: the last segment is held until more text shows
 * it is complete, or until `flush`.
 *
 * @example
 * ```ts
 * const chunker = createChunker({ by: "word" });
 * chunker.push("Hel"); // []
 * chunker.push("lo wor"); // ["Hello "]
 * chunker.flush(); // ["wor"]
 * ```
 */
export function createChunker(options: ChunkerOptions = {}): Chunker {
  const by = options.by ?? "word";
  const maxBufferLength = options.maxBufferLength ?? defaultMaxBufferLength;
  if (!(maxBufferLength >= 1)) {
    throw new RangeError(`maxBufferLength must be at least 1, got ${maxBufferLength}`);
  }
  const graphemes = new Intl.Segmenter(options.locale, { granularity: "grapheme" });
  const cut = cutterFor(by, options.locale, graphemes);
  let held = "";

  return {
    push(text) {
      if (text === "") return [];
      held += text;
      const out = cut(held);
      held = held.slice(out.released);
      if (held.length > maxBufferLength) {
        const forced = releaseAllButLastGrapheme(held, graphemes);
        if (forced !== "") out.chunks.push(forced);
        held = held.slice(forced.length);
      }
      return out.chunks;
    },
    flush() {
      const rest = held;
      held = "";
      return rest === "" ? [] : [rest];
    },
    get buffered() {
      return held.length;
    },
  };
}

interface CutResult {
  chunks: string[];
  released: number;
}

type Cutter = (buffer: string) => CutResult;

function cutterFor(by: ChunkBy, locale: string | undefined, graphemes: Intl.Segmenter): Cutter {
  if (by === "grapheme") return (buffer) => cutSegments(buffer, graphemes, 1);
  if (by === "sentence") {
    const sentences = new Intl.Segmenter(locale, { granularity: "sentence" });
    return (buffer) => cutSentences(buffer, sentences);
  }
  if (by === "word") {
    const words = new Intl.Segmenter(locale, { granularity: "word" });
    return (buffer) => cutWords(buffer, words);
  }
  if (by === "line") return cutLines;
  if (by instanceof RegExp) {
    // A private, non-global copy: the caller's lastIndex must not leak into our matching.
    const regex = new RegExp(by.source, by.flags.replace(/[gy]/g, ""));
    return (buffer) => cutWith(buffer, graphemes, (rest) => regexPrefix(regex, rest));
  }
  if (typeof by === "function") return (buffer) => cutWith(buffer, graphemes, by);
  throw new TypeError(
    `Unknown chunking mode ${String(by)}: use "grapheme", "word", "line", "sentence", a RegExp or a function`,
  );
}

/**
 * Releases every finished sentence as soon as the next one has begun. The boundary before the last
 * segment is final once that segment holds a letter, a line break or a sentence terminator: rule SB8
 * ("etc. 5 and" is one sentence) skips digits, spaces and other punctuation to find a lowercase
 * letter, and SB8a/SB9-11 decide on the characters right after the terminator. Until then the last
 * two segments are held.
 */
function cutSentences(buffer: string, segmenter: Intl.Segmenter): CutResult {
  const segments = Array.from(segmenter.segment(buffer), (s) => s.segment);
  const last = segments.at(-1) ?? "";
  return releaseAllBut(segments, sentenceStarted.test(last) ? 1 : 2);
}

const sentenceStarted = /[\p{L}\n\r\u0085\u2028\u2029.!?\u3002\uff01\uff1f]/u;

/** Releases every segment except the last `hold` ones, each as one chunk. */
function cutSegments(buffer: string, segmenter: Intl.Segmenter, hold: number): CutResult {
  return releaseAllBut(
    Array.from(segmenter.segment(buffer), (s) => s.segment),
    hold,
  );
}

function releaseAllBut(segments: string[], hold: number): CutResult {
  const chunks = segments.slice(0, Math.max(0, segments.length - hold));
  let released = 0;
  for (const chunk of chunks) released += chunk.length;
  return { chunks, released };
}

function cutLines(buffer: string): CutResult {
  const end = buffer.lastIndexOf("\n") + 1;
  if (end === 0) return { chunks: [], released: 0 };
  const chunks = buffer.slice(0, end).split(/(?<=\n)/);
  return { chunks, released: end };
}

type Kind = "word" | "space" | "other";

function kindOf(segment: Segment): Kind {
  if (segment.isWordLike) return "word";
  return /^\s+$/.test(segment.segment) ? "space" : "other";
}

/**
 * Groups word segments into chunks of one word plus what follows it up to the next word: `"Hello, "`,
 * `"world!"`. Leading punctuation after whitespace starts the next chunk (`"("` in `"a (b)"`).
 *
 * Stability: word rules WB6/WB7/WB11/WB12 look one character ahead (`can'` + `t`, `3.` + `1`), so a
 * trailing punctuation segment may still merge with the word before it, and both are held. Dictionary scripts (Thai, Lao, Khmer, and in
 * principle CJK) are segmented by ICU over a whole run of word characters, and a longer run can move
 * earlier boundaries, so a boundary between two word segments is released only once the run has ended
 * (a space or punctuation follows). Chinese without punctuation is therefore held until a `，` or `。`
 * (or `maxBufferLength`, or the wrappers' `maxDelayMs`).
 */
function cutWords(buffer: string, segmenter: Intl.Segmenter): CutResult {
  const segments: Segment[] = Array.from(segmenter.segment(buffer), (s) => ({
    segment: s.segment,
    isWordLike: s.isWordLike === true,
  }));
  // The last segment may grow but keeps its kind, so it still tells where the chunk before it ends;
  // it is never released itself. A last segment of punctuation may still join the word before it
  // (`can'` + `t`), so then the last two are left out.
  const last = segments.at(-1);
  const stable = last === undefined ? 0 : segments.length - (kindOf(last) === "other" ? 1 : 0);
  // Offsets (in segments) where a chunk starts; a chunk ends where the next one starts.
  const starts: number[] = [];
  let confirmed = 0; // how many entries of `starts` are final
  let phase: "lead" | "word" | "trail" = "lead";
  let trailHasSpace = false;
  let leadHasOther = false;
  for (let i = 0; i < stable; i++) {
    const kind = kindOf(segments[i]!);
    if (kind !== "word") confirmed = starts.length; // a word run ended: its inner boundaries are final
    if (phase === "lead") {
      if (kind === "word") phase = "word";
      else if (kind === "space" && leadHasOther) {
        phase = "trail";
        trailHasSpace = true;
      } else if (kind === "other") leadHasOther = true;
    } else if (phase === "word") {
      if (kind === "word") starts.push(i);
      else {
        phase = "trail";
        trailHasSpace = kind === "space";
      }
    } else if (kind === "word") {
      starts.push(i);
      confirmed = starts.length;
      phase = "word";
    } else if (kind === "space") trailHasSpace = true;
    else if (trailHasSpace) {
      starts.push(i);
      confirmed = starts.length;
      phase = "lead";
      leadHasOther = true;
      trailHasSpace = false;
    }
  }
  const chunks: string[] = [];
  let released = 0;
  let from = 0;
  for (let s = 0; s < confirmed; s++) {
    const to = starts[s]!;
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(segments[i]!.segment);
    const chunk = parts.join("");
    if (chunk !== "") chunks.push(chunk);
    released += chunk.length;
    from = to;
  }
  return { chunks, released };
}

/**
 * Repeatedly asks `prefix` how much to release, rounding each answer to a grapheme boundary no later
 * than the start of the last grapheme (which may still grow).
 */
function cutWith(buffer: string, graphemes: Intl.Segmenter, prefix: (rest: string) => number): CutResult {
  const boundaries: number[] = [];
  for (const { index } of graphemes.segment(buffer)) boundaries.push(index);
  // The start of the last grapheme is the furthest safe cut.
  const safe = boundaries.filter((b) => b > 0);
  const chunks: string[] = [];
  let released = 0;
  while (released < buffer.length) {
    const asked = Math.floor(prefix(buffer.slice(released)));
    if (!(asked > 0)) break;
    const wanted = released + Math.min(asked, buffer.length - released);
    // Round down to a grapheme boundary; if that makes no progress, up to the next one, so a
    // function that asks for fewer code units than a cluster has cannot stall the stream.
    let end = 0;
    for (const b of safe) {
      if (b > wanted && end > released) break;
      end = b;
      if (b > wanted) break;
    }
    if (end <= released) break;
    chunks.push(buffer.slice(released, end));
    released = end;
  }
  return { chunks, released };
}

function regexPrefix(regex: RegExp, rest: string): number {
  const match = regex.exec(rest);
  return match === null ? 0 : match.index + match[0].length;
}

function releaseAllButLastGrapheme(buffer: string, graphemes: Intl.Segmenter): string {
  let last = 0;
  for (const { index } of graphemes.segment(buffer)) last = index;
  // One cluster longer than the limit (Zalgo text) is cut anyway, but never inside a surrogate pair.
  if (last === 0) {
    let end = buffer.length - 1;
    const code = buffer.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    return buffer.slice(0, Math.max(end, 0));
  }
  return buffer.slice(0, last);
}
