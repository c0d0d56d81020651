import { describe, expect, it } from "vitest";
import { terminalFeatures } from "./terminalFeatures.js";

describe("terminalFeatures", () => {
  it("allows colour and cursor movement on a terminal only", () => {
    expect(terminalFeatures({ isTTY: true }, { TERM: "xterm-256color" })).toEqual({
      color: true,
      cursor: true,
    });
    expect(terminalFeatures({ isTTY: false }, { TERM: "xterm-256color" })).toEqual({
      color: false,
      cursor: false,
    });
    expect(terminalFeatures({}, {})).toEqual({ color: false, cursor: false });
  });

  it("turns colour off with a non-empty NO_COLOR, and both off on TERM=dumb", () => {
    expect(terminalFeatures({ isTTY: true }, { NO_COLOR: "1" })).toEqual({ color: false, cursor: true });
    expect(terminalFeatures({ isTTY: true }, { NO_COLOR: "" })).toEqual({ color: true, cursor: true });
    expect(terminalFeatures({ isTTY: true }, { TERM: "dumb" })).toEqual({ color: false, cursor: false });
  });
});
