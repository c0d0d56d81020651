import stringWidth from "string-width";

/**
 * A piece of text with one style. `sgr` holds SGR parameters (`"1;33"` for bold yellow); `""` is
 * plain text.
 */
export interface Span {
  text: string;
  sgr: string;
}

/** One terminal line: spans and their display width in columns. */
export interface Line {
  spans: Span[];
  width: number;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

interface Cell {
  text: string;
  sgr: string;
  width: number;
}

// Widths of the non-ASCII graphemes seen so far; string-width is too slow to call per grapheme on
// every redraw. Bounded: cleared when it reaches the limit.
const widths = new Map<string, number>();
const maxCachedWidths = 4096;
const printableAscii = /^[\x20-\x7e]*$/;

function cells(spans: Span[]): Cell[] {
  const out: Cell[] = [];
  for (const span of spans) {
    if (printableAscii.test(span.text)) {
      for (const char of span.text) out.push({ text: char, sgr: span.sgr, width: 1 });
      continue;
    }
    for (const { segment } of graphemes.segment(span.text)) {
      let width = widths.get(segment);
      if (width === undefined) {
        width = segment === "\n" ? 0 : stringWidth(segment);
        if (widths.size >= maxCachedWidths) widths.clear();
        widths.set(segment, width);
      }
      out.push({ text: segment, sgr: span.sgr, width });
    }
  }
  return out;
}

function toLine(row: Cell[]): Line {
  const spans: Span[] = [];
  let width = 0;
  for (const cell of row) {
    width += cell.width;
    const last = spans.at(-1);
    if (last !== undefined && last.sgr === cell.sgr) last.text += cell.text;
    else spans.push({ text: cell.text, sgr: cell.sgr });
  }
  return { spans, width };
}

/** Adds spans together with a style (`"1"` inside `"3"` gives `"3;1"`). */
export function styled(spans: Span[], sgr: string): Span[] {
  if (sgr === "") return spans;
  return spans.map((span) => ({ text: span.text, sgr: span.sgr === "" ? sgr : `${sgr};${span.sgr}` }));
}

/** The display width of plain text (wide CJK and emoji count two columns). */
export function widthOf(text: string): number {
  return printableAscii.test(text) ? text.length : stringWidth(text);
}

/**
 * Word-wraps spans to `width` columns: breaks at spaces (dropping the spaces at the break), at `"\n"`,
 * and inside a word only when the word alone is wider than a line. Never splits a grapheme.
 */
export function wrapSpans(spans: Span[], width: number): Line[] {
  const limit = Math.max(1, width);
  const lines: Cell[][] = [[]];
  let lineWidth = 0;
  let spaces: Cell[] = [];
  let word: Cell[] = [];
  const newLine = () => {
    lines.push([]);
    lineWidth = 0;
  };
  const place = () => {
    if (word.length === 0) return;
    const wordWidth = word.reduce((sum, cell) => sum + cell.width, 0);
    const spaceWidth = spaces.reduce((sum, cell) => sum + cell.width, 0);
    if (lineWidth > 0 && lineWidth + spaceWidth + wordWidth > limit) newLine();
    else {
      lines.at(-1)!.push(...spaces);
      lineWidth += spaceWidth;
    }
    for (const cell of word) {
      if (lineWidth > 0 && lineWidth + cell.width > limit) newLine();
      lines.at(-1)!.push(cell);
      lineWidth += cell.width;
    }
    spaces = [];
    word = [];
  };
  for (const cell of cells(spans)) {
    if (cell.text === "\n") {
      place();
      spaces = [];
      newLine();
    } else if (cell.text === " " || cell.text === "\t") {
      place();
      spaces.push({ ...cell, text: " ", width: 1 });
    } else word.push(cell);
  }
  place();
  return lines.map(toLine);
}

/** Cuts spans into lines at `"\n"` and wherever a line is wider than `width`, keeping every space. */
export function hardWrapSpans(spans: Span[], width: number): Line[] {
  const limit = Math.max(1, width);
  const lines: Cell[][] = [[]];
  let lineWidth = 0;
  for (const cell of cells(spans)) {
    if (cell.text === "\n") {
      lines.push([]);
      lineWidth = 0;
      continue;
    }
    if (lineWidth > 0 && lineWidth + cell.width > limit) {
      lines.push([]);
      lineWidth = 0;
    }
    lines.at(-1)!.push(cell);
    lineWidth += cell.width;
  }
  return lines.map(toLine);
}

/** Puts `first` before the first line and `rest` before the others. */
export function prefixLines(lines: Line[], first: Span[], rest: Span[]): Line[] {
  const width = (spans: Span[]) => spans.reduce((sum, span) => sum + widthOf(span.text), 0);
  const firstWidth = width(first);
  const restWidth = width(rest);
  const restIsBlank = rest.every((span) => span.text.trim() === "");
  return lines.map((line, i) => {
    // An empty line inside an indented block stays empty (no trailing spaces to copy along).
    if (i > 0 && line.width === 0 && restIsBlank) return line;
    return {
      spans: [...(i === 0 ? first : rest), ...line.spans],
      width: line.width + (i === 0 ? firstWidth : restWidth),
    };
  });
}

/** The line as terminal text: with SGR sequences when `color`, plain otherwise. */
export function lineToString(line: Line, color: boolean): string {
  const cache = color ? colored : plain;
  const cached = cache.get(line);
  if (cached !== undefined) return cached;
  const text = buildLine(line, color);
  cache.set(line, text);
  return text;
}

// Lines are immutable once built; code lines are reused across redraws, so remember their text.
const colored = new WeakMap<Line, string>();
const plain = new WeakMap<Line, string>();

function buildLine(line: Line, color: boolean): string {
  const parts: string[] = [];
  for (const span of line.spans) {
    if (span.text === "") continue;
    parts.push(color && span.sgr !== "" ? `\x1b[${span.sgr}m${span.text}\x1b[0m` : span.text);
  }
  return parts.join("");
}
