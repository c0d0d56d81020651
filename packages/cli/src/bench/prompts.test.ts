import { describe, expect, it } from "vitest";
import { parsePromptLines, syntheticPrompts } from "./prompts.js";

const words = (p: { messages: { content: unknown }[] }) => String(p.messages[0]?.content).split(" ").length;

describe("syntheticPrompts", () => {
  it("makes prompts of the asked length, different from each other, the same for a seed", () => {
    const prompts = syntheticPrompts({ count: 5, tokens: 40, seed: 1 });
    expect(prompts.map(words)).toEqual([40, 40, 40, 40, 40]);
    expect(new Set(prompts.map((p) => p.messages[0]?.content)).size).toBe(5);
    expect(syntheticPrompts({ count: 5, tokens: 40, seed: 1 })).toEqual(prompts);
  });

  it("varies the length with a standard deviation, never below one word", () => {
    const lengths = syntheticPrompts({ count: 2000, tokens: 100, stddev: 20, seed: 2 }).map(words);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(mean).toBeGreaterThan(97);
    expect(mean).toBeLessThan(103);
    expect(Math.min(...syntheticPrompts({ count: 200, tokens: 1, stddev: 5 }).map(words))).toBe(1);
  });
});

describe("parsePromptLines", () => {
  it("reads prompt and messages lines, with max_tokens, skipping blank lines", () => {
    const prompts = parsePromptLines(
      '{"prompt":"Hi"}\n\n{"messages":[{"role":"user","content":"Yo"}],"max_tokens":9}\r\n',
    );
    expect(prompts).toEqual([
      { messages: [{ role: "user", content: "Hi" }] },
      { messages: [{ role: "user", content: "Yo" }], maxTokens: 9 },
    ]);
  });

  it("names the bad line", () => {
    expect(() => parsePromptLines('{"prompt":"a"}\nnope')).toThrow(/Line 2/);
    expect(() => parsePromptLines('{"text":"a"}')).toThrow(/Line 1/);
    expect(() => parsePromptLines("\n")).toThrow(/no prompts/);
  });
});
