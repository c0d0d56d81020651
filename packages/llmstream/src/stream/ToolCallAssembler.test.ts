import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ToolCallFragment } from "../protocols/DeltaSink.js";
import { ToolCallAssembler } from "./ToolCallAssembler.js";

function assemble(fragments: ToolCallFragment[]) {
  const assembler = new ToolCallAssembler();
  for (const fragment of fragments) assembler.add(fragment);
  return assembler.finish();
}

describe("ToolCallAssembler", () => {
  it("joins argument fragments by index, for several calls", () => {
    const calls = assemble([
      { index: 0, id: "a", name: "get_weather", arguments: "" },
      { index: 0, arguments: '{"city":' },
      { index: 1, id: "b", name: "get_time", arguments: '{"tz":"UTC"}' },
      { index: 0, arguments: '"Paris"}' },
    ]);
    expect(calls).toEqual([
      { index: 0, id: "a", name: "get_weather", arguments: '{"city":"Paris"}' },
      { index: 1, id: "b", name: "get_time", arguments: '{"tz":"UTC"}' },
    ]);
  });

  it("treats missing arguments as {} and generates missing ids", () => {
    const [call] = assemble([{ index: 0, name: "ping" }]);
    expect(call?.arguments).toBe("{}");
    expect(call?.id).toMatch(/^call_0_/);
  });

  it("replaces a leading {} placeholder with the real arguments", () => {
    const [call] = assemble([
      { index: 0, id: "x", name: "f", arguments: "{}" },
      { index: 0, arguments: '{"a":' },
      { index: 0, arguments: "1}" },
    ]);
    expect(call?.arguments).toBe('{"a":1}');
  });

  it("does not repeat a name that a server sends in every fragment", () => {
    const [call] = assemble([
      { index: 0, id: "x", name: "f", arguments: '{"a"' },
      { index: 0, id: "x", name: "f", arguments: ":1}" },
    ]);
    expect(call?.name).toBe("f");
  });

  it("any split of the argument text assembles the same JSON (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 10 }), (value, cuts) => {
        const json = JSON.stringify({ value });
        const points = [...new Set(cuts.map((c) => c % (json.length + 1)))].sort((a, b) => a - b);
        const fragments: ToolCallFragment[] = [{ index: 0, id: "id", name: "f", arguments: "" }];
        let last = 0;
        for (const point of [...points, json.length]) {
          fragments.push({ index: 0, arguments: json.slice(last, point) });
          last = point;
        }
        expect(assemble(fragments)[0]?.arguments).toBe(json);
      }),
    );
  });
});
