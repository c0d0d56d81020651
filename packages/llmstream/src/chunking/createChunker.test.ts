import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChunkBy, createChunker } from "./createChunker.js";
import recorded from "./fixtures/stories260K-chunks.json" with { type: "json" };

function run(
  by: ChunkBy,
  parts: string[],
  maxBufferLength?: number,
): { pushed: string[]; flushed: string[] } {
  const chunker = createChunker(maxBufferLength === undefined ? { by } : { by, maxBufferLength });
  const pushed = parts.flatMap((part) => chunker.push(part));
  return { pushed, flushed: chunker.flush() };
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const words = new Intl.Segmenter(undefined, { granularity: "word" });
const sentences = new Intl.Segmenter(undefined, { granularity: "sentence" });
const boundaries = (segmenter: Intl.Segmenter, text: string) =>
  new Set([...Array.from(segmenter.segment(text), (s) => s.index), text.length]);
const wordInteriors = (text: string) => {
  // Offsets strictly inside a word-like segment: a whole-word chunker never cuts there.
  const inside = new Set<number>();
  for (const s of words.segment(text)) {
    if (s.isWordLike) for (let i = s.index + 1; i < s.index + s.segment.length; i++) inside.add(i);
  }
  return inside;
};
const cutOffsets = (chunks: string[]) => {
  const offsets: number[] = [];
  let at = 0;
  for (const chunk of chunks) offsets.push((at += chunk.length));
  return offsets;
};

describe("createChunker examples", () => {
  it("cuts words with their trailing spaces and punctuation", () => {
    expect(run("word", ["Hel", "lo, wor", "ld! (a) can'", "t 3.", "14 x"])).toEqual({
      pushed: ["Hello, ", "world! ", "(a) ", "can't ", "3.14 "],
      flushed: ["x"],
    });
  });

  it("cuts Chinese into words once the run of characters ends", () => {
    const { pushed, flushed } = run("word", ["我们是中国的", "大学生，我们喜", "欢学习。"]);
    expect(pushed.join("")).toBe("我们是中国的大学生，");
    expect(pushed.length).toBeGreaterThan(3);
    expect(flushed).toEqual(["我们喜欢学习。"]);
  });

  it("never splits emoji, flags, combining marks or CRLF", () => {
    const { pushed, flushed } = run("grapheme", ["👩‍", "💻👍", "🏽🇫", "🇷e", "\u0301\r", "\n"]);
    expect(pushed).toEqual(["👩‍💻", "👍🏽", "🇫🇷", "e\u0301"]);
    expect(flushed).toEqual(["\r\n"]);
  });

  it("cuts sentences and lines", () => {
    expect(run("sentence", ["Hello world. This is", " fine. Yes it is. And", " more."])).toEqual({
      pushed: ["Hello world. ", "This is fine. ", "Yes it is. "],
      flushed: ["And more."],
    });
    expect(run("line", ["a\nb", "c\r", "\nd"])).toEqual({ pushed: ["a\n", "bc\r\n"], flushed: ["d"] });
  });

  it("releases a finished sentence as soon as the next one begins, not with the one after it", () => {
    expect(run("sentence", ["One. T"]).pushed).toEqual(["One. "]);
    expect(run("sentence", ["One. Two. Th"]).pushed).toEqual(["One. ", "Two. "]);
    // Not yet after digits alone: "etc. 5 and" would be one sentence (rule SB8).
    expect(run("sentence", ["Apples etc. 5"]).pushed).toEqual([]);
    expect(run("sentence", ["Apples etc. 5 and pears. N"]).pushed).toEqual(["Apples etc. 5 and pears. "]);
  });

  it("cuts at the end of each RegExp match, ignoring the caller's global flag", () => {
    // The final " " is the last grapheme: it is held until more text (or the end) shows it is whole.
    expect(run(/\S+\s+/g, ["hello wor", "ld foo "])).toEqual({
      pushed: ["hello ", "world ", "foo"],
      flushed: [" "],
    });
  });

  it("rounds a function's answer down to a grapheme boundary", () => {
    // Asks for 2 code units: half of the emoji's surrogate pair, then less than the whole cluster.
    expect(run(() => 2, ["a👍🏽b"])).toEqual({ pushed: ["a", "👍🏽"], flushed: ["b"] });
    expect(run(() => 1, ["👩‍💻👍🏽"])).toEqual({ pushed: ["👩‍💻"], flushed: ["👍🏽"] });
  });

  it("releases an endless word past maxBufferLength, up to the last grapheme", () => {
    const url = `https://example.com/${"x".repeat(30)}`;
    const chunker = createChunker({ by: "word", maxBufferLength: 16 });
    const pushed: string[] = [];
    for (const part of url.match(/.{1,3}/g) ?? []) {
      pushed.push(...chunker.push(part));
      expect(chunker.buffered).toBeLessThanOrEqual(16);
    }
    expect(pushed.length).toBeGreaterThan(1);
    expect(pushed.join("") + chunker.flush().join("")).toBe(url);
  });

  it("rejects an unknown mode and a bad limit with messages that say what to pass", () => {
    expect(() => createChunker({ by: "paragraph" as ChunkBy })).toThrow(/use "grapheme", "word"/);
    expect(() => createChunker({ maxBufferLength: 0 })).toThrow(RangeError);
  });
});

// Text from pieces that stress segmentation: astral characters, ZWJ sequences, skin tones, flags,
// combining marks, CJK, Thai, CR/LF, punctuation, numbers, markdown.
const piece = fc.constantFrom(
  "Hello",
  " ",
  "world",
  ", ",
  ". ",
  "! ",
  "can't",
  "3.14",
  "e\u0301",
  "👩‍💻",
  "👍🏽",
  "🇫🇷",
  "🇩🇪",
  "𝒜𝒷",
  "😀",
  "我们是中国的大学生",
  "，",
  "。",
  "東京都に住んでいます",
  "ภาษาไทยไม่มีการเว้นวรรค",
  "\r\n",
  "\n",
  "\r",
  "\n\n",
  "**bold**",
  "`code`",
  "https://example.com/a?b=c",
  "Mr. Smith",
  " etc. and",
  "A",
  "z",
);
const text = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(""));

/** Splits `text` at random code-point boundaries (never inside a surrogate pair, like a decoder). */
const splitText = (value: string) =>
  fc.array(fc.nat(), { maxLength: 12 }).map((cuts) => {
    const points = Array.from(value);
    const at = [...new Set(cuts.map((c) => c % (points.length + 1)))].sort((a, b) => a - b);
    const parts: string[] = [];
    let from = 0;
    for (const to of at) {
      parts.push(points.slice(from, to).join(""));
      from = to;
    }
    parts.push(points.slice(from).join(""));
    return parts;
  });
const textAndSplit = text.chain((value) => splitText(value).map((parts) => ({ value, parts })));

const modes: ChunkBy[] = [
  "grapheme",
  "word",
  "sentence",
  "line",
  /\s+/,
  (buffer) => Math.ceil(buffer.length / 2),
];

describe("createChunker properties", () => {
  it.each(
    modes.map((by) => [String(by), by] as const),
  )("%s: output concatenates to the input and never ends inside a grapheme cluster", (_name, by) => {
    fc.assert(
      fc.property(textAndSplit, ({ value, parts }) => {
        const { pushed, flushed } = run(by, parts);
        expect(pushed.join("") + flushed.join("")).toBe(value);
        const safe = boundaries(graphemes, value);
        for (const offset of cutOffsets(pushed)) expect(safe.has(offset)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("word: cuts only between whole words of the full text", () => {
    fc.assert(
      fc.property(textAndSplit, ({ value, parts }) => {
        const inside = wordInteriors(value);
        for (const offset of cutOffsets(run("word", parts).pushed)) expect(inside.has(offset)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("sentence: cuts only at sentence boundaries of the full text", () => {
    fc.assert(
      fc.property(textAndSplit, ({ value, parts }) => {
        const safe = boundaries(sentences, value);
        for (const offset of cutOffsets(run("sentence", parts).pushed)) expect(safe.has(offset)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("createChunker on chunks recorded from the embedded engine", () => {
  it("the recordings really split words (the reason this module exists)", () => {
    const chunks = recorded.recordings.flatMap((r) => r.chunks);
    expect(chunks).toContain("ir"); // " g" + "ir" + "l"
  });

  it.each(
    recorded.recordings.map((r) => [r.prompt, r.chunks] as const),
  )("word chunking of %j yields only whole words", (_prompt, chunks) => {
    const value = chunks.join("");
    const { pushed, flushed } = run("word", chunks);
    expect(pushed.join("") + flushed.join("")).toBe(value);
    const inside = wordInteriors(value);
    for (const offset of cutOffsets(pushed)) expect(inside.has(offset)).toBe(false);
    // At most one word per chunk (the answer may start with a lone ", ").
    for (const chunk of pushed) expect(chunk).toMatch(/^\W*([\w']+\W*)?$/u);
  });
});

describe("createChunker holds what may still change", () => {
  it("holds a trailing apostrophe or decimal point with the word before it", () => {
    const chunker = createChunker({ by: "word" });
    expect(chunker.push("I can'")).toEqual(["I "]);
    expect(chunker.push("t pay 3.")).toEqual(["can't ", "pay "]);
    expect(chunker.push("5 now")).toEqual(["3.5 "]);
    expect(chunker.flush()).toEqual(["now"]);
  });
});
