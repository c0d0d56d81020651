import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./sourceFiles.js";

// An import cycle makes the load order decide what a module sees (a `const` read before it is
// initialised), and it hides which file depends on which. The CLI once had one of seven files through
// `ExitCode` in runCli.ts; this walks the relative imports of the source and fails on any cycle.
const src = fileURLToPath(new URL("../../packages/cli/src/", import.meta.url));
/** Static imports and re-exports (type-only ones too: they still say "this file needs that one"), and `import()`. */
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/gm;

/** The import graph of the `.ts` files under `dir`: file → the files under `dir` it imports. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    // Comments hold TSDoc examples with imports; only code counts.
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const targets = [...code.matchAll(IMPORT)]
      .map((match) => resolve(dirname(file), (match[1] ?? match[2] ?? "").replace(/\.js$/, ".ts")))
      .filter((target) => target.startsWith(dir));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the files along it (first file repeated at the end). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === "open") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (seen === undefined) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe("import cycles", () => {
  it("finds a cycle when there is one, and names its files in order", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads the real imports: the CLI program imports its commands", () => {
    const graph = importGraph(resolve(src, "cli"));
    expect(graph.get(resolve(src, "cli/runCli.ts"))).toContain(resolve(src, "cli/commands/chat.ts"));
    expect(graph.size).toBeGreaterThan(30);
  });

  it("the CLI package's cli/ folder has none", () => {
    const dir = resolve(src, "cli");
    const cycles = findCycles(importGraph(dir)).map((cycle) =>
      cycle.map((file) => relative(src, file)).join(" → "),
    );
    expect(cycles).toEqual([]);
  });

  it("no package's source has one", () => {
    const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
    const cycles = findCycles(importGraph(packages)).map((cycle) =>
      cycle.map((file) => relative(packages, file)).join(" → "),
    );
    expect(cycles).toEqual([]);
  });
});
