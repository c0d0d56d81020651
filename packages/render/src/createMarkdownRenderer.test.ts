import fc from "fast-check";
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { splitAt } from "../../llmstream/src/utils/splitAt.test-helper.js";
import { createMarkdownRenderer, renderMarkdown } from "./createMarkdownRenderer.js";
import { createTestTerminal } from "./testTerminal.test-helper.js";

const answer = [
  "# Sorting in *TypeScript*",
  "",
  "Use **`Array.prototype.sort`** with a comparator, see [MDN](https://developer.mozilla.org) or",
  "the ~~old~~ spec. Emoji 👩‍💻 and 中文字符 are wide.",
  "",
  "- first item with a long enough text to wrap around the terminal edge",
  "  - nested item",
  "    1. deep ordered",
  "- [x] done task",
  "",
  "> A quote that says something",
  "> and continues.",
  "",
  "```ts",
  "const sorted = [3, 1, 2].sort((a, b) => a - b); // a comment that is rather long indeed",
  'console.log("sorted", sorted);',
  "```",
  "",
  "| Name | Score | Note |",
  "|:-----|------:|:----:|",
  "| Ada | 10 | 很好 |",
  "| Bob | 7 | ok |",
  "",
  "---",
  "",
  "## Done",
  "That is all.",
  "",
].join("\n");

/** Streams `parts` through a renderer into a real terminal emulator and returns the screen. */
async function streamed(parts: string[], columns: number, color = true) {
  const terminal = createTestTerminal(columns);
  const writes: string[] = [];
  const renderer = createMarkdownRenderer({
    write: (s) => {
      writes.push(s);
      terminal.write(s);
    },
    columns: () => terminal.columns,
    color,
  });
  for (const part of parts) renderer.push(part);
  renderer.end();
  return { screen: await terminal.screen(), writes };
}

async function whole(markdown: string, columns: number, color = true) {
  const terminal = createTestTerminal(columns);
  terminal.write(renderMarkdown(markdown, { columns, color }));
  return terminal.screen();
}

/** Splits between code points only: a renderer is fed whole characters. */
const splitAtCodePoints = (text: string, cuts: number[]) =>
  splitAt(Array.from(text), cuts).map((points) => points.join(""));

describe("renderMarkdown", () => {
  it("lays out every kind of block for the terminal width", async () => {
    expect(await whole(answer, 40, false)).toEqual([
      "# Sorting in TypeScript",
      "",
      "Use Array.prototype.sort with a",
      "comparator, see MDN",
      "(https://developer.mozilla.org) or the",
      "old spec. Emoji 👩‍💻 and 中文字符 are",
      "wide.",
      "",
      "• first item with a long enough text to",
      "  wrap around the terminal edge",
      "  ◦ nested item",
      "    1. deep ordered",
      "• [x] done task",
      "",
      "│ A quote that says something and",
      "│ continues.",
      "",
      "  const sorted = [3, 1, 2].sort((a, b) =",
      // Code is cut, not word-wrapped: every space is kept.
      "  > a - b); // a comment that is rather ",
      "  long indeed",
      '  console.log("sorted", sorted);',
      "",
      "┌──────┬───────┬──────┐",
      "│ Name │ Score │ Note │",
      "├──────┼───────┼──────┤",
      "│ Ada  │    10 │ 很好 │",
      "│ Bob  │     7 │  ok  │",
      "└──────┴───────┴──────┘",
      "",
      "────────────────────────────────────────",
      "",
      "## Done",
      "",
      "That is all.",
    ]);
  });

  it("colours code and emphasis only when asked", () => {
    const coloured = renderMarkdown(answer, { columns: 60, color: true });
    expect(coloured).toContain("\x1b[1m");
    expect(coloured).toMatch(/\x1b\[35mconst\x1b\[0m/);
    const plain = renderMarkdown(answer, { columns: 60, color: false });
    expect(plain).not.toContain("\x1b");
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(plain);
  });
});

describe("createMarkdownRenderer", () => {
  it("streamed in random chunks, ends on the same screen as rendering the whole answer", async () => {
    const expected = await whole(answer, 40);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 60 }), async (cuts) => {
        const { screen } = await streamed(splitAtCodePoints(answer, cuts), 40);
        expect(screen).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it("tricky block boundaries (setext headings, loose lists, tables after text, nesting) stream the same", async () => {
    const tricky = [
      "Setext heading",
      "==============",
      "Text right before a table:",
      "| k | v |",
      "|---|---|",
      "| a | 1 |",
      "",
      "1. loose item",
      "",
      "2. second, with a nested quote:",
      "",
      "   > quoted `code` and **bold",
      "   > across lines**",
      "",
      "    indented code after a list?",
      "",
      "Final paragraph with a trailing line break  ",
      "and a *second* line, then <b>html</b>.",
      "",
      "***",
      "- a",
      "- b",
      "",
      "```",
      "unclosed fence at the end",
    ].join("\n");
    const expected = await whole(tricky, 36);
    expect(expected.length).toBeGreaterThan(20);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 80 }), async (cuts) => {
        expect((await streamed(splitAtCodePoints(tricky, cuts), 36)).screen).toEqual(expected);
      }),
      { numRuns: 40 },
    );
    expect((await streamed(Array.from(tricky), 36)).screen).toEqual(expected);
  });

  it("CRLF line ends, split anywhere (even between CR and LF), give the same screen", async () => {
    const expected = await whole(answer, 40);
    const crlf = answer.replace(/\n/g, "\r\n");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 80 }), async (cuts) => {
        expect((await streamed(splitAtCodePoints(crlf, cuts), 40)).screen).toEqual(expected);
      }),
      { numRuns: 15 },
    );
  });

  it("token by token, writes no control sequence and the same layout when colour is off", async () => {
    const { screen, writes } = await streamed(Array.from(answer), 40, false);
    expect(writes.join("")).not.toContain("\x1b");
    expect(screen).toEqual(await whole(answer, 40, false));
  });

  it("live without colour (NO_COLOR on a terminal) moves the cursor but writes no SGR", async () => {
    const terminal = createTestTerminal(40);
    const writes: string[] = [];
    const renderer = createMarkdownRenderer({
      write: (s) => {
        writes.push(s);
        terminal.write(s);
      },
      columns: () => 40,
      color: false,
      live: true,
    });
    for (const piece of splitAtCodePoints(
      answer,
      Array.from({ length: 100 }, (_, i) => i * 9),
    ))
      renderer.push(piece);
    renderer.end();
    const all = writes.join("");
    expect(all).toMatch(/\x1b\[\d+A/);
    expect(all).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(await terminal.screen()).toEqual(await whole(answer, 40, false));
  });

  it("never rewrites a finished block", async () => {
    const { writes } = await streamed(Array.from(answer), 50);
    // Once the paragraph after the heading has started, the heading is never written again.
    const paragraphStarts = writes.findIndex((w) => w.includes("Use"));
    expect(paragraphStarts).toBeGreaterThan(0);
    expect(writes.slice(paragraphStarts + 1).some((w) => w.includes("Sorting in"))).toBe(false);
    expect(writes.slice(0, paragraphStarts).some((w) => w.includes("Sorting in"))).toBe(true);
    // Each redraw erases at most the rows of the growing block, never the whole answer.
    const erased = writes.map((w) => Number(/\x1b\[(\d+)A/.exec(w)?.[1] ?? 0));
    expect(Math.max(...erased)).toBeLessThanOrEqual(8);
  });

  it("a resize mid-stream keeps finished blocks and redraws only the growing one at the new width", async () => {
    // Cut inside the code block: its lines, drawn 50 wide, take two or three rows each at 24.
    const cut = answer.indexOf("console.log");
    const terminal = createTestTerminal(50);
    const renderer = createMarkdownRenderer({
      write: (s) => terminal.write(s),
      columns: () => terminal.columns,
      color: true,
    });
    for (const piece of splitAtCodePoints(answer.slice(0, cut), [5, 17, 40, 90, 200, 260]))
      renderer.push(piece);
    await terminal.resize(24);
    renderer.resize();
    for (const piece of Array.from(answer.slice(cut))) renderer.push(piece);
    renderer.end();

    // Expected: the blocks finished before the resize, drawn at 50 columns and reflowed by the
    // terminal; then everything from the growing code block on, drawn at 24.
    const before = answer.slice(0, cut);
    const tokens = marked.lexer(before);
    const finished = tokens
      .slice(
        0,
        tokens.findLastIndex((t) => t.type !== "space"),
      )
      .map((t) => t.raw);
    const reference = createTestTerminal(50);
    reference.write(renderMarkdown(finished.join(""), { columns: 50, color: true }));
    await reference.resize(24);
    const rest = renderMarkdown(answer, { columns: 24, color: true }).split("\n");
    const restStart = rest.findIndex((line) => line.includes("const"));
    reference.write(`\n${rest.slice(restStart).join("\n")}`);
    expect(await terminal.screen()).toEqual(await reference.screen());
  });

  it("a growing code block taller than the screen keeps its top lines and ends complete", async () => {
    const code = `\`\`\`js\n${Array.from({ length: 30 }, (_, i) => `let v${i} = ${i};`).join("\n")}\n\`\`\`\n\nafter\n`;
    const terminal = createTestTerminal(30, 10);
    const renderer = createMarkdownRenderer({
      write: (s) => terminal.write(s),
      columns: () => 30,
      rows: () => 10,
      color: true,
    });
    for (const piece of splitAtCodePoints(
      code,
      Array.from({ length: 60 }, (_, i) => i * 7),
    ))
      renderer.push(piece);
    renderer.end();
    expect(await terminal.screen()).toEqual(await whole(code, 30));
  });
});

describe("createMarkdownRenderer on a block taller than the screen", () => {
  it("keeps the lines above the screen when an early change re-wraps the block, losing no word", async () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`);
    // While streaming, the opening ** shows literally; the closing ** re-wraps from the first line.
    const markdown = `**${words.join(" ")}** end\n`;
    const terminal = createTestTerminal(30, 10);
    const renderer = createMarkdownRenderer({
      write: (s) => terminal.write(s),
      columns: () => 30,
      rows: () => 10,
      color: true,
    });
    for (const piece of splitAtCodePoints(
      markdown,
      Array.from({ length: 200 }, (_, i) => i * 5),
    ))
      renderer.push(piece);
    renderer.end();
    const seen = (await terminal.screen()).join(" ").replace(/\*/g, "").split(/\s+/).filter(Boolean);
    // Every word, in order; where drawing resumed after the re-wrap, a line's worth may repeat.
    const unique = seen.filter((word, i) => seen.indexOf(word) === i);
    expect(unique).toEqual([...words, "end"]);
    expect(seen.length - unique.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < seen.length; i++) {
      const step = words.indexOf(seen[i]!) - words.indexOf(seen[i - 1]!);
      if (seen[i] !== "end") expect(step === 1 || step <= 0).toBe(true);
    }
  });
});

describe("createMarkdownRenderer limits", () => {
  it("closes a block longer than maxBlockLength and reopens a code fence after it", async () => {
    const code = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    const terminal = createTestTerminal(30);
    const renderer = createMarkdownRenderer({
      write: (s) => terminal.write(s),
      columns: () => 30,
      color: true,
      maxBlockLength: 100,
    });
    for (const piece of splitAtCodePoints(
      `\`\`\`ts\n${code}\n\`\`\`\n`,
      Array.from({ length: 80 }, (_, i) => i * 5),
    )) {
      renderer.push(piece);
    }
    renderer.end();
    const screen = await terminal.screen();
    // Every line once, in order, all rendered as code (indented), split into several blocks.
    const codeLines = screen.filter((line) => line !== "");
    expect(codeLines.map((line) => line.trim())).toEqual(code.split("\n"));
    expect(codeLines.every((line) => line.startsWith("  line"))).toBe(true);
    expect(screen.filter((line) => line === "").length).toBeGreaterThan(1);
  });

  it("a single push far over the limit, without line breaks, still renders and ends", async () => {
    const terminal = createTestTerminal(30);
    const renderer = createMarkdownRenderer({
      write: (s) => terminal.write(s),
      columns: () => 30,
      color: false,
      maxBlockLength: 50,
    });
    const long = "x".repeat(400);
    renderer.push(`\`\`\`\n${long}`);
    renderer.push(long);
    renderer.end();
    expect((await terminal.screen()).join("").replace(/\s/g, "")).toBe(long + long);
  });
});
