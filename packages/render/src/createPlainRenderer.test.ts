import { describe, expect, it } from "vitest";
import { createPlainRenderer } from "./createPlainRenderer.js";

describe("createPlainRenderer", () => {
  it("writes text through unchanged and ends on a fresh line", () => {
    const writes: string[] = [];
    const renderer = createPlainRenderer({ write: (s) => writes.push(s) });
    for (const piece of ["# Ti", "tle\n", "", "**x**"]) renderer.push(piece);
    renderer.resize();
    renderer.end();
    expect(writes).toEqual(["# Ti", "tle\n", "**x**", "\n"]);
  });

  it("adds no newline when the text already ends with one, or when there was no text", () => {
    const writes: string[] = [];
    const renderer = createPlainRenderer({ write: (s) => writes.push(s) });
    renderer.end();
    renderer.push("done\n");
    renderer.end();
    expect(writes).toEqual(["done\n"]);
  });
});
