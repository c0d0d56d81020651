import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { completeMarkup } from "./completeMarkup.js";

const html = (markdown: string) => marked.parse(markdown, { async: false, gfm: true }).trim();

describe("completeMarkup", () => {
  it.each([
    ["some **bold", "some **bold**"],
    ["some **bold ", "some **bold** "],
    ["an *emph", "an *emph*"],
    ["~~gone", "~~gone~~"],
    ["**bold and *both", "**bold and *both***"],
    ["call `foo(", "call `foo(`"],
    ["`a` and **b", "`a` and **b**"],
    ["code `with **stars", "code `with **stars`"],
    ["see [the docs](https://exa", "see the docs"],
    ["see [the docs](", "see the docs"],
    ["an image ![alt](https://x", "an image "],
    ["trailing opener **", "trailing opener "],
    ["bold code **`", "bold code "],
    ["**`Arr", "**`Arr`**"],
    ["~", ""],
    ["~~gone~", "~~gone~~"],
    ["**bold*", "**bold**"],
    ["**bold**", "**bold**"],
    ["*em*", "*em*"],
    ["2 * 3 = 6", "2 * 3 = 6"],
    ["snake_case_name", "snake_case_name"],
    ["- item **one", "- item **one**"],
    ["* list item", "* list item"],
    ["**done** and fine", "**done** and fine"],
  ])("%j shows as %j", (input, expected) => {
    expect(completeMarkup(input, "paragraph")).toBe(expected);
  });

  it("renders the open markup as it will end", () => {
    expect(html(completeMarkup("some **bold", "paragraph"))).toBe("<p>some <strong>bold</strong></p>");
    expect(html(completeMarkup("call `foo(", "paragraph"))).toBe("<p>call <code>foo(</code></p>");
  });

  it("holds back table rows until the delimiter row makes them a table", () => {
    expect(completeMarkup("Text\n| a | b |", "paragraph")).toBe("Text");
    expect(completeMarkup("| a | b |\n|---|", "paragraph")).toBe("");
    expect(completeMarkup("a | b", "paragraph")).toBe("a | b");
  });

  it("hides a half-typed closing fence and leaves other blocks alone", () => {
    expect(completeMarkup("```js\nlet a;\n``", "code")).toBe("```js\nlet a;\n");
    expect(completeMarkup("```js\nlet a;\n```", "code")).toBe("```js\nlet a;\n```");
    expect(completeMarkup("| a | b |\n|---|---|\n| `x - y", "table")).toBe("| a | b |\n|---|---|\n| `x - y`");
    expect(completeMarkup("| a | b |\n|---|---|\n| `", "table")).toBe("| a | b |\n|---|---|\n| ");
  });
});
