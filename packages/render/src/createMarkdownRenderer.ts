import { marked, type Token } from "marked";
import { renderBlock, renderBlocks } from "./renderBlocks.js";
import { type Line, lineToString } from "./styledLines.js";

/** Options of {@link createMarkdownRenderer}. */
export interface MarkdownRendererOptions {
  /** Where terminal output goes (e.g. `(s) => process.stdout.write(s)`). */
  write: (text: string) => void;
  /** The terminal width now (e.g. `() => process.stdout.columns`). */
  columns: () => number;
  /** The terminal height now; a growing block taller than this keeps its top lines for good. @defaultValue 24 */
  rows?: () => number;
  /** SGR styles and syntax colour. `false` gives the same layout as plain text. */
  color: boolean;
  /**
   * The longest block (in UTF-16 code units) kept open for redrawing. A longer one is rendered as
   * finished at its last line break and the text after it starts a new block (a code block is
   * reopened with its fence), so neither the held text nor the cost of a redraw grows without bound.
   * @defaultValue 65536
   */
  maxBlockLength?: number;
  /**
   * Redraw the growing block in place with cursor movement. `false` writes each block once, when it
   * is finished (or at `end()`), with no control sequences at all.
   * @defaultValue the value of `color`
   */
  live?: boolean;
}

/** A streaming terminal renderer: feed it text deltas. */
export interface TextRenderer {
  /** Adds a text delta. */
  push(text: string): void;
  /** The text is complete: renders what is left. Leaves the cursor at the start of a fresh line. */
  end(): void;
  /** Call after the terminal was resized (on `process.stdout`'s `"resize"` event). */
  resize(): void;
}

/** The whole markdown document rendered for a terminal `columns` wide, one `"\n"` after each line. */
export function renderMarkdown(markdown: string, options: { columns: number; color: boolean }): string {
  const lines = renderBlocks(lex(markdown.replace(/\r\n?/g, "\n")), options.columns);
  return lines.map((line) => `${lineToString(line, options.color)}\n`).join("");
}

const wordsIn = (text: string) =>
  text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split(/\s+/)
    .filter(Boolean).length;

/** The index of the first line of `lines` that holds words beyond the first `kept.length` lines' words. */
function resync(kept: string[], lines: string[]): number {
  let target = 0;
  for (const text of kept) target += wordsIn(text);
  let words = 0;
  for (let i = 0; i < lines.length; i++) {
    const next = words + wordsIn(lines[i]!);
    if (next > target) return i;
    words = next;
  }
  return lines.length;
}

function lex(markdown: string): Token[] {
  return marked.lexer(markdown, { gfm: true });
}

const blank: Line = { spans: [], width: 0 };

/**
 * Moves the cursor up `rows` rows and clears them, one row at a time, leaving the cursor at the
 * start of the first. Not "erase below" (`ESC[J`): when the answer starts at the top left of the
 * screen (e.g. after `clear`), tmux treats an erase from there as clearing the screen and pushes the
 * old rows into its scrollback, which would leave a copy of every redraw in the history.
 */
function eraseRowsAbove(rows: number): string {
  return `\x1b[${rows}A\r${"\x1b[2K\x1b[1B".repeat(rows - 1)}\x1b[2K${rows > 1 ? `\x1b[${rows - 1}A` : ""}`;
}

/**
 * Renders markdown while it streams. `marked`'s lexer splits the text into blocks; every block but
 * the last one (a block is finished once the next one starts) is rendered once and never touched
 * again, and its text is dropped. Only the last, still-growing block is re-lexed and redrawn on each
 * push — and only from its first changed line: those lines are erased row by row with
 * cursor-up and erase-line, then rewritten.
 *
 * Resize: the rows a drawn line occupies are counted from its width at the *current* terminal width
 * (a line `w` columns wide takes `ceil(w / columns)` rows), which is how terminals that reflow
 * (xterm.js, VTE, iTerm2, Windows Terminal, tmux) lay out old lines after a resize; finished blocks
 * stay as the terminal reflows them.
 *
 * Limits: a growing block taller than the terminal cannot be erased above the top of the screen, so
 * its lines beyond `rows - 1` from the bottom are kept for good. If closing a `**` later re-wraps
 * them, the kept lines stay as first drawn and drawing resumes after the same number of words (a
 * few words may then show twice, none is lost). Link reference definitions apply only to blocks
 * after them.
 *
 * @example
 * ```ts
 * const renderer = createMarkdownRenderer({
 *   write: (s) => process.stdout.write(s),
 *   columns: () => process.stdout.columns,
 *   rows: () => process.stdout.rows,
 *   color: true,
 * });
 * process.stdout.on("resize", () => renderer.resize());
 * for await (const event of chat) if (event.type === "text") renderer.push(event.text);
 * renderer.end();
 * ```
 */
export function createMarkdownRenderer(options: MarkdownRendererOptions): TextRenderer {
  const { write, color } = options;
  const live = options.live ?? color;
  const columns = () => Math.max(1, Math.floor(options.columns()) || 80);
  const maxBlockLength = options.maxBlockLength ?? 65_536;
  const maxLive = () => Math.max(1, Math.floor(options.rows?.() ?? 24) - 1);
  let pending = ""; // the text from the start of the first unfinished block
  let carriageReturn = false; // a "\r" at the end of a delta may be the first half of "\r\n"
  let shownAny = false; // a finished block has been written (the next one gets a blank line first)
  let kept: string[] = []; // lines of the unfinished region written for good (tall blocks)
  let drawn: { text: string; width: number }[] = []; // the erasable lines now on screen

  const rowsOf = (lines: { width: number }[], width: number) =>
    lines.reduce((sum, line) => sum + Math.max(1, Math.ceil(line.width / width)), 0);

  const update = (end: boolean) => {
    const width = columns();
    const tokens = lex(pending);
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last]!.type === "space") last--;
    if (!end && last >= 0 && tokens[last]!.raw.length > maxBlockLength) {
      // A block past the limit is closed at its last line break (or space) and the rest starts a
      // new block; an open code fence is reopened for it.
      const { raw, type } = tokens[last]!;
      const start = tokens.slice(0, last).reduce((sum, token) => sum + token.raw.length, 0);
      const fence = type === "code" ? /^ {0,3}(`{3,}|~{3,})[^\n]*\n/.exec(raw) : null;
      let cut = raw.lastIndexOf("\n") + 1 || raw.lastIndexOf(" ") + 1;
      // No break after the fence line: take it all, so every round makes progress.
      if (cut <= (fence?.[0].length ?? 0)) cut = raw.length;
      const rest = pending.slice(start + cut);
      pending = pending.slice(0, start + cut);
      update(true);
      pending = (fence?.[0] ?? "") + rest;
      update(false);
      return;
    }
    const final = end;
    const finished = final ? tokens : tokens.slice(0, Math.max(0, last));
    const growing = final || last < 0 ? undefined : tokens[last];

    const lines: Line[] = [];
    let shown = shownAny;
    for (const token of finished) {
      const rendered = renderBlock(token, width);
      if (rendered.length === 0) continue;
      if (shown) lines.push(blank);
      lines.push(...rendered);
      shown = true;
    }
    const finishedCount = lines.length;
    if (growing !== undefined && live) {
      const rendered = renderBlock(growing, width);
      if (rendered.length > 0 && shown) lines.push(blank);
      lines.push(...rendered);
    }

    const strings = lines.map((line) => lineToString(line, color));
    // The kept lines are on screen for good. Usually the new rendering starts with the same lines;
    // if not (closing a `**` re-wrapped the block), continue after as many words as were kept, so
    // nothing is lost (a few words may show twice).
    let offset = kept.length;
    if (kept.some((text, i) => strings[i] !== text)) offset = resync(kept, strings);
    const next = lines.slice(offset).map((line, i) => ({ text: strings[offset + i]!, width: line.width }));
    let same = 0;
    while (same < next.length && same < drawn.length && next[same]!.text === drawn[same]!.text) same++;
    const out: string[] = [];
    const erase = rowsOf(drawn.slice(same), width);
    if (erase > 0) out.push(eraseRowsAbove(erase));
    for (const line of next.slice(same)) out.push(line.text, "\n");
    if (out.length > 0) write(out.join(""));

    const keep = Math.max(offset, finishedCount, lines.length - maxLive());
    drawn = next.slice(keep - offset);
    kept = strings.slice(finishedCount, Math.max(finishedCount, keep));
    shownAny = shown;
    let consumed = 0;
    for (const token of finished) consumed += token.raw.length;
    pending = pending.slice(consumed);
  };

  return {
    push(text) {
      if (text === "") return;
      let delta = carriageReturn ? `\r${text}` : text;
      carriageReturn = delta.endsWith("\r");
      if (carriageReturn) delta = delta.slice(0, -1);
      pending += delta.replace(/\r\n?/g, "\n");
      update(false);
    },
    end() {
      if (carriageReturn) pending += "\n";
      carriageReturn = false;
      update(true);
      pending = "";
      drawn = [];
      kept = [];
    },
    resize() {
      if (live) update(false);
    },
  };
}
