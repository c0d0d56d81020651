import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Someone who only uses the client must not load the engine, SQLite, the CLI or any npm package:
// walk the built import graph from each entry point and list what it reaches. Within a package,
// relative imports are followed, and `#…` imports through the package's `imports` map (every target:
// a bundler picks one by its conditions); anything else is a package the entry needs.
const root = fileURLToPath(new URL("../../", import.meta.url));
const packages = join(root, "packages");
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s*(?:[^'"`;]*?\s*from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

type How = "static" | "dynamic";

/** Every file target of a `#name` import in `pkg`'s package.json `imports`, whatever the condition. */
function importTargets(pkg: string, specifier: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packages, pkg, "package.json"), "utf8")) as {
    imports?: Record<string, Record<string, string>>;
  };
  const conditions = manifest.imports?.[specifier];
  if (conditions === undefined) throw new Error(`${pkg} has no import map entry ${specifier}`);
  return Object.entries(conditions)
    .filter(([condition]) => condition !== "@llmstream/source")
    .map(([, target]) => join(packages, pkg, target));
}

/** Files (relative to `packages/`) and packages reached from `entry`, e.g. "llmstream/dist/index.js". */
function walk(entry: string) {
  const pkg = entry.split("/")[0] as string;
  const reached = new Map<string, How>();
  const external = new Map<string, How>();
  const stack: [string, How][] = [[join(packages, entry), "static"]];
  while (stack.length > 0) {
    const [file, how] = stack.pop() as [string, How];
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
      else if (specifier.startsWith("#"))
        for (const target of importTargets(pkg, specifier)) stack.push([target, kind]);
      else if (external.get(specifier) !== "static") external.set(specifier, kind);
    }
  }
  return { files: [...reached.keys()].map((f) => relative(packages, f)), external };
}

describe("import graph of the built packages", () => {
  it("has been built", () => {
    expect(existsSync(join(packages, "llmstream/dist/index.js")), "run `npm run build` first").toBe(true);
  });

  it("llmstream's root entry uses no npm package and loads node:http only lazily", () => {
    const { files, external } = walk("llmstream/dist/index.js");
    expect(files.every((f) => f.startsWith("llmstream/dist/"))).toBe(true);
    expect(files).toContain("llmstream/dist/client/nodeTransport.js");
    expect(files).toContain("llmstream/dist/client/noNodeTransport.js");
    expect(external.size).toBeGreaterThan(0);
    for (const [specifier, kind] of external) {
      expect(specifier.startsWith("node:"), `${specifier} is not a Node built-in`).toBe(true);
      expect(kind, `${specifier} must be imported lazily so browsers never load it`).toBe("dynamic");
    }
  });

  it("the stub a browser bundle gets for #nodeTransport imports nothing", () => {
    const { files, external } = walk("llmstream/dist/client/noNodeTransport.js");
    expect(files).toEqual(["llmstream/dist/client/noNodeTransport.js"]);
    expect(external.size).toBe(0);
  });

  it("llmstream/chunking reaches no npm package and no Node built-in", () => {
    const { external } = walk("llmstream/dist/chunking/index.js");
    expect([...external.keys()]).toEqual([]);
  });

  it("the engine needs llmstream and loads node-llama-cpp only lazily", () => {
    const { external } = walk("engine/dist/index.js");
    expect(external.get("llmstream")).toBe("static");
    expect(external.get("node-llama-cpp")).toBe("dynamic");
  });

  it("the log loads better-sqlite3 only lazily: it imports and writes JSONL where the module is missing", () => {
    // A project whose node_modules has the log and what it imports, but no better-sqlite3
    // (--preserve-symlinks: resolve from the links, not from this repository's node_modules).
    const project = mkdtempSync(join(tmpdir(), "llmstream-no-sqlite-"));
    const modules = join(project, "node_modules");
    mkdirSync(join(modules, "@llmstream"), { recursive: true });
    mkdirSync(join(modules, "@opentelemetry"));
    symlinkSync(join(packages, "log"), join(modules, "@llmstream", "log"));
    symlinkSync(join(packages, "llmstream"), join(modules, "llmstream"));
    symlinkSync(join(root, "node_modules", "@opentelemetry", "api"), join(modules, "@opentelemetry", "api"));
    const script = [
      'const log = await import("@llmstream/log");',
      'const sink = log.createJsonlSink({ path: "requests.jsonl" });',
      "let failure;",
      'try { log.openLogDatabase(":memory:"); } catch (error) { failure = error.message; }',
      "console.log(JSON.stringify({ sink: typeof sink.write, failure }));",
    ].join("\n");
    const output = execFileSync(
      process.execPath,
      ["--preserve-symlinks", "--input-type=module", "-e", script],
      {
        cwd: project,
        encoding: "utf8",
      },
    );
    const { sink, failure } = JSON.parse(output) as { sink: string; failure?: string };
    expect(sink).toBe("function");
    expect(failure).toMatch(/better-sqlite3/);
  });

  // llmstream/sse and llmstream/ndjson are meant to run anywhere (browsers, workers, Deno, Bun) and to
  // become a package of their own: only the parsers, their error class and the types.
  it.each([
    "sse/index.js",
    "ndjson/index.js",
  ])("llmstream's %s entry reaches no npm package and no Node built-in", (entry) => {
    const { files, external } = walk(`llmstream/dist/${entry}`);
    expect(files).toContain(`llmstream/dist/${entry}`);
    expect([...external.keys()]).toEqual([]);
  });

  it.each([
    "sse/index.js",
    "ndjson/index.js",
  ])("llmstream's %s entry reaches nothing of the client or the stream core", (entry) => {
    const { files } = walk(`llmstream/dist/${entry}`);
    // Only parsers and what they stand on.
    expect(
      files.filter((f) => !/^llmstream\/dist\/(sse|ndjson|lines|json|errors|types|utils)\//.test(f)),
    ).toEqual([]);
  });
});
