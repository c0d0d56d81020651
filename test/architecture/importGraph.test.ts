import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Someone who only uses the client must not load the engine, SQLite, the CLI or any npm package:
// walk the built import graph from each entry point and list what it reaches.
const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s*(?:[^'"`;]*?\s*from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

/** Files and packages reached from `entry`; "dynamic" when reached only through `import()`. */
function walk(entry: string) {
  const reached = new Map<string, "static" | "dynamic">();
  const external = new Map<string, "static" | "dynamic">();
  const stack: [string, "static" | "dynamic"][] = [[resolve(dist, entry), "static"]];
  while (stack.length > 0) {
    const [file, how] = stack.pop() as [string, "static" | "dynamic"];
    const before = reached.get(file);
    if (before === "static" || before === how) continue;
    reached.set(file, how);
    // Comments hold TSDoc examples that import "llmstream"; only code counts.
    const source = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const match of source.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined) continue;
      const kind = how === "dynamic" || match[2] !== undefined ? "dynamic" : "static";
      if (specifier.startsWith(".")) stack.push([resolve(dirname(file), specifier), kind]);
      else if (external.get(specifier) !== "static") external.set(specifier, kind);
    }
  }
  return { files: [...reached.keys()].map((f) => f.slice(dist.length)), external };
}

describe("import graph of the built package", () => {
  it("has been built", () => {
    expect(existsSync(resolve(dist, "index.js")), "run `npm run build` first").toBe(true);
  });

  it("the root entry uses no npm package and loads node:http only lazily", () => {
    const { files, external } = walk("index.js");
    expect(files.some((f) => f.startsWith("engine/") || f.startsWith("log/") || f.startsWith("cli/"))).toBe(
      false,
    );
    for (const [specifier, kind] of external) {
      expect(specifier.startsWith("node:"), `${specifier} is not a Node built-in`).toBe(true);
      expect(kind, `${specifier} must be imported lazily so browsers never load it`).toBe("dynamic");
    }
  });

  it("the chunking entry reaches no npm package and neither the engine, the log nor the CLI", () => {
    const { files, external } = walk("chunking/index.js");
    expect([...external.keys()].filter((s) => !s.startsWith("node:"))).toEqual([]);
    expect(files.some((f) => /^(engine|log|cli|render)\//.test(f))).toBe(false);
  });

  it("the engine entry loads node-llama-cpp only lazily", () => {
    const { external } = walk("engine/index.js");
    const engine = external.get("node-llama-cpp");
    if (engine !== undefined) expect(engine).toBe("dynamic");
  });

  it("the log entry loads better-sqlite3 only lazily", () => {
    const { external } = walk("log/index.js");
    const sqlite = external.get("better-sqlite3");
    if (sqlite !== undefined) expect(sqlite).toBe("dynamic");
  });

  // llmstream/sse and llmstream/ndjson are meant to run anywhere (browsers, workers, Deno, Bun) and to
  // become a package of their own: only the parsers, their error class and the types.
  it.each([
    "sse/index.js",
    "ndjson/index.js",
  ])("the %s entry reaches no npm package and no Node built-in", (entry) => {
    const { files, external } = walk(entry);
    expect(files).toContain(entry);
    expect([...external.keys()]).toEqual([]);
  });

  it.each([
    "sse/index.js",
    "ndjson/index.js",
  ])("the %s entry reaches nothing of the engine, the log, the CLI, the client or the stream core", (entry) => {
    const { files } = walk(entry);
    expect(files.filter((f) => /^(engine|log|cli|client|stream)\//.test(f))).toEqual([]);
    // Nor anything above the parser layers (protocols, server, web, …): only parsers and what they stand on.
    expect(files.filter((f) => !/^(sse|ndjson|lines|json|errors|types|utils)\//.test(f))).toEqual([]);
  });
});
