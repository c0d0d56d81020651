import { describe, expect, it } from "vitest";
import { formatTable } from "./formatTable.js";

describe("formatTable", () => {
  it("pads every column to its widest cell, two spaces apart, right-aligning where asked", () => {
    expect(
      formatTable(
        [
          ["MODEL", "SIZE", "PATH"],
          ["stories260K", "1.2 MB", "/m/stories260K.gguf"],
          ["x", "12.0 GB", "/m/x.gguf"],
        ],
        { align: ["left", "right"] },
      ),
    ).toEqual([
      "MODEL           SIZE  PATH",
      "stories260K   1.2 MB  /m/stories260K.gguf",
      "x            12.0 GB  /m/x.gguf",
    ]);
  });

  it("leaves no trailing spaces, also after empty last cells and short rows", () => {
    expect(formatTable([["a", "b"], ["long", ""], ["c"]])).toEqual(["a     b", "long", "c"]);
    expect(formatTable([])).toEqual([]);
  });

  it("styles cells after padding, so styling does not count towards the width", () => {
    const lines = formatTable(
      [
        ["ID", "N"],
        ["abc", "7"],
      ],
      { align: ["left", "right"], style: (text, row) => (row === 0 ? `<${text}>` : text) },
    );
    expect(lines).toEqual(["<ID >  <N>", "abc  7"]);
  });
});
