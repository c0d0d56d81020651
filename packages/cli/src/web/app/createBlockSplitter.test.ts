import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../../../../llmstream/src/utils/splitAt.test-helper.js";
import { type Block, createBlockSplitter } from "./createBlockSplitter.js";

const answer = [
  "# Sorting in *TypeScript*",
  "",
  "Use **`Array.prototype.sort`** with a comparator, see [MDN](https://developer.mozilla.org).",
  "Setext heading",
  "--------------",
  "- first item",
  "  - nested item",
  "- [x] done task",
  "",
  "1. loose item",
  "",
  "2. second",
  "",
  "> A quote",
  "> continued.",
  "",
  "```ts",
  "const sorted = [3, 1, 2].sort((a, b) => a - b);",
  "",
  "console.log(sorted);",
  "```",
  "Text right before a table:",
  "| k | v |",
  "|---|---|",
  "| a | 1 |",
  "",
  "    indented code",
  "",
  "<div onclick=x>raw html</div>",
  "",
  "***",
  "Last *paragraph* with `code`",
  "```",
  "unclosed fence",
].join("\n");

const fragments = [
  "Hello world",
  "**bold**",
  "\n",
  "\n\n",
  "# Heading",
  "- item",
  "1. one",
  "> quote",
  "```js\nlet a = 1;\n```",
  "```",
  "| a | b |\n|---|---|\n| 1 | 2 |",
  "---",
  "===",
  "    code",
  "<b>x</b>",
  "[x](https://e.x)",
  "  ",
  "*",
  "`",
];

/** Feeds `parts` and collects every finished block, in order. */
function stream(parts: string[]) {
  const splitter = createBlockSplitter();
  const finished: Block[] = [];
  for (const part of parts) finished.push(...splitter.push(part).finished);
  const last = splitter.end();
  expect(last.growing).toEqual([]);
  finished.push(...last.finished);
  return finished.map((block) => ({ raw: block.raw, type: block.token.type }));
}

describe("createBlockSplitter", () => {
  it("finished blocks concatenate to the input, and the whole text in one push gives marked's blocks", () => {
    const blocks = stream([answer]);
    expect(blocks.map((b) => b.raw).join("")).toBe(answer);
    expect(blocks.map((b) => b.type)).toEqual([
      "heading",
      // The paragraph and "Setext heading" above "---" become one two-line heading.
      "heading",
      "list",
      "list",
      "blockquote",
      "code",
      "paragraph",
      "table",
      "code",
      "html",
      "hr",
      "paragraph",
      "code",
    ]);
  });

  it("any split of the input gives the same blocks, and a block once finished is the final one", () => {
    const expected = stream([answer]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 80 }), (cuts) => {
        expect(stream(splitAt(answer, cuts))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
    expect(stream(Array.from(answer))).toEqual(expected);
  });

  it("generated markdown: any split gives the blocks of the whole text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...fragments), { maxLength: 30 }).map((parts) => parts.join("")),
        fc.array(fc.nat(), { maxLength: 40 }),
        (text, cuts) => {
          expect(stream(splitAt(text, cuts))).toEqual(stream([text]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports the growing block and never reports a finished block twice", () => {
    const splitter = createBlockSplitter();
    expect(splitter.push("One\n\nTwo\n\nThr")).toMatchObject({
      finished: [{ raw: "One\n\n" }],
      growing: [{ raw: "Two\n\n" }, { raw: "Thr" }],
    });
    expect(splitter.push("ee")).toMatchObject({
      finished: [],
      growing: [{ raw: "Two\n\n" }, { raw: "Three" }],
    });
    expect(splitter.push("\n\nFour")).toMatchObject({ finished: [{ raw: "Two\n\n" }] });
    expect(splitter.end()).toMatchObject({
      finished: [{ raw: "Three\n\n" }, { raw: "Four" }],
      growing: [],
    });
  });

  it("CRLF split between CR and LF gives the same blocks as LF", () => {
    const crlf = answer.replace(/\n/g, "\r\n");
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 60 }), (cuts) => {
        expect(stream(splitAt(crlf, cuts))).toEqual(stream([answer]));
      }),
      { numRuns: 50 },
    );
  });

  it("closes a growing block past maxBlockLength at a line break, reopening an open code fence", () => {
    const splitter = createBlockSplitter({ maxBlockLength: 40 });
    const code = Array.from({ length: 10 }, (_, i) => `line ${i}`).join("\n");
    const {
      finished,
      growing: [growing, ...more],
    } = splitter.push(`\`\`\`js\n${code}`);
    expect(more).toEqual([]);
    expect(finished.length).toBeGreaterThan(0);
    for (const block of finished) {
      expect(block.token.type).toBe("code");
      expect(block.raw.length).toBeLessThanOrEqual(40);
    }
    expect(growing?.raw.startsWith("```js\n")).toBe(true);
    expect(growing!.raw.length).toBeLessThanOrEqual(40);
    const text = [
      ...finished.map((b) => (b.token as { text: string }).text),
      (growing!.token as { text: string }).text,
    ];
    expect(text.join("\n")).toBe(code);
  });
});
