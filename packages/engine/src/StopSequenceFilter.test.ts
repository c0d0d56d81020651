import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../../llmstream/src/utils/splitAt.test-helper.js";
import { StopSequenceFilter } from "./StopSequenceFilter.js";

function run(stops: string[], pieces: string[]): { text: string; stopped: boolean } {
  const filter = new StopSequenceFilter(stops);
  const out: string[] = [];
  for (const piece of pieces) {
    const result = filter.push(piece);
    out.push(result.text);
    if (result.stopped) return { text: out.join(""), stopped: true };
  }
  out.push(filter.flush());
  return { text: out.join(""), stopped: false };
}

describe("StopSequenceFilter", () => {
  it("passes text through when there are no stop sequences", () => {
    expect(run([], ["a", "b"])).toEqual({ text: "ab", stopped: false });
  });

  it("cuts before a stop sequence split across pieces and never emits it", () => {
    expect(run(["END"], ["hello E", "N", "D more"])).toEqual({ text: "hello ", stopped: true });
  });

  it("releases held text that turned out not to be a stop sequence", () => {
    const filter = new StopSequenceFilter(["END"]);
    expect(filter.push("xE")).toEqual({ text: "x", stopped: false });
    expect(filter.push("Nd")).toEqual({ text: "ENd", stopped: false });
  });

  it("stops at the earliest of several stop sequences", () => {
    expect(run(["two", "one"], ["zero one two"])).toEqual({ text: "zero ", stopped: true });
  });

  it("gives the same result for any split of the input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "b", "c", "x"), maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 6 }),
        (input, cuts) => {
          const pieces = splitAt(input, cuts);
          const stops = ["ab", "bca"];
          expect(run(stops, pieces)).toEqual(run(stops, [input]));
        },
      ),
    );
  });
});
