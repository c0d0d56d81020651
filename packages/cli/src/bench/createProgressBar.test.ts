import { describe, expect, it } from "vitest";
import { createProgressBar } from "./createProgressBar.js";

const output = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 60, write: (text: string) => written.push(text) } };
};

describe("createProgressBar", () => {
  it("draws one line on a terminal, and clears it at the end", () => {
    const { written, stream } = output(true);
    const bar = createProgressBar(stream);
    bar.update("c=8 target", 5, 0.5);
    bar.clear();
    expect(written[0]).toMatch(/^\r\x1b\[2K\[#{12}-{12}\]\s+50% 5 done {2}c=8 target$/);
    expect(written[1]).toBe("\r\x1b[2K");
  });

  it("writes nothing to a pipe", () => {
    const { written, stream } = output(false);
    const bar = createProgressBar(stream);
    bar.update("c=1", 1, 1);
    bar.clear();
    expect(written).toEqual([]);
  });
});
