import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { type ThinkTagMode, ThinkTagSplitter } from "./ThinkTagSplitter.js";

function run(chunks: string[], mode: ThinkTagMode = "auto") {
  const out: { kind: "text" | "reasoning"; text: string }[] = [];
  const splitter = new ThinkTagSplitter(
    {
      text: (text) => out.push({ kind: "text", text }),
      reasoning: (text) => out.push({ kind: "reasoning", text }),
    },
    mode,
  );
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  const join = (kind: string) =>
    out
      .filter((o) => o.kind === kind)
      .map((o) => o.text)
      .join("");
  return { text: join("text"), reasoning: join("reasoning"), warning: splitter.warning, out };
}

/** Splits a string at the given cut points. */

describe("ThinkTagSplitter", () => {
  it("splits reasoning from the answer and drops the layout line breaks after tags", () => {
    const r = run(["<think>\nWhy not?</think>\n\nHello world"]);
    expect(r.reasoning).toBe("Why not?");
    expect(r.text).toBe("Hello world");
  });

  it("finds tags split across chunks at every position", () => {
    const input = "Hi <think>ponder</think>there";
    for (let cut = 0; cut <= input.length; cut++) {
      const r = run([input.slice(0, cut), input.slice(cut)]);
      expect(r, `cut at ${cut}`).toMatchObject({ text: "Hi there", reasoning: "ponder" });
    }
  });

  it("keeps text that only looks like the start of a tag", () => {
    expect(run(["a <b> c <thin", "g>"]).text).toBe("a <b> c <thing>");
    expect(run(["ends with <th"]).text).toBe("ends with <th");
  });

  it("start-in-thinking mode reads everything before </think> as reasoning", () => {
    const r = run(["I should gree", "t.</thi", "nk>\n\nHello"], "start-in-thinking");
    expect(r).toMatchObject({ reasoning: "I should greet.", text: "Hello" });
  });

  it("drops a stray closing tag and warns only when reasoning leaked into the answer", () => {
    const leaked = run(["I should greet.</think>Hello"]);
    expect(leaked.text).toBe("I should greet.Hello");
    expect(leaked.warning).toMatch(/start-in-thinking/);
    const harmless = run(["</think>Hello"]);
    expect(harmless.text).toBe("Hello");
    expect(harmless.warning).toBeUndefined();
  });

  it("any split of the input gives the same text and reasoning (property)", () => {
    const piece = fc.oneof(
      fc.constantFrom("<think>", "</think>", "<", "</", "<th", "think>", ">", "\n", " "),
      fc.string({ maxLength: 6 }),
      fc.constantFrom("👩‍💻", "你好", "é"),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom<ThinkTagMode>("auto", "start-in-thinking"),
        (pieces, cuts, mode) => {
          const input = pieces.join("");
          const whole = run([input], mode);
          const split = run(splitAt(input, cuts), mode);
          expect(split.text).toBe(whole.text);
          expect(split.reasoning).toBe(whole.reasoning);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("never loses non-tag characters (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
        const r = run(splitAt(input, cuts));
        const withoutTags = input.replaceAll("<think>", "").replaceAll("</think>", "");
        // Only whitespace right after a tag may be dropped.
        expect((r.text + r.reasoning).replace(/\s/g, "").length).toBeLessThanOrEqual(withoutTags.length);
        if (!input.includes("<think>") && !input.includes("</think>")) expect(r.text).toBe(input);
      }),
      { numRuns: 1000 },
    );
  });
});
