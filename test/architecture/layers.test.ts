import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./sourceFiles.js";

// The packages and their folders are the layers (README, "Architecture"). A unit — a folder of
// `llmstream` or of the CLI package, or a whole single-purpose package — may import from itself and
// from any lower layer; within a layer only where `SIBLINGS` says so. Tests and test helpers may
// cross freely: they are not shipped.
const LAYERS: string[][] = [
  ["types", "errors", "utils"],
  ["lines"],
  ["json", "sse", "ndjson", "metrics", "chunking"],
  ["protocols"],
  ["stream"],
  ["client", "node", "engine"],
  ["log", "render", "mock", "format"],
  ["server", "web", "bench"],
  ["cli"],
];
/** Allowed imports between units of one layer. */
const SIBLINGS: Record<string, string[]> = {
  // `types` and `errors` are one foundation: errors carry a partial result, options name errors.
  types: ["errors"],
  errors: ["types"],
  // `llmstream/node` re-exports the node:http transport; the engine creates its models folder with it
  node: ["client"],
  engine: ["node"],
  // `serve` hands the chat page out at `/`
  server: ["web"],
};
/** Packages whose `src/` is one unit; the others (`llmstream`, `cli`) have a unit per folder. */
const WHOLE = new Set(["engine", "log", "render", "mock"]);
/**
 * What an import of another package by name reaches: its entry point's unit. The root entry is the
 * stream core with the HTTP client on top; the engine and the log stand on its core, so it counts as
 * `stream` (whether a caller uses `streamChat` is its own business).
 */
const ENTRY_UNIT: Record<string, string> = {
  llmstream: "stream",
  "llmstream/chunking": "chunking",
  "llmstream/sse": "sse",
  "llmstream/ndjson": "ndjson",
  "llmstream/node": "node",
  "@llmstream/engine": "engine",
  "@llmstream/log": "log",
  "@llmstream/render": "render",
  "@llmstream/mock": "mock",
};

const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
const IMPORT = /(?:from|import)\s*\(?\s*["']((?:\.{1,2}\/|llmstream|@llmstream\/)[^"']*)["']/g;

/** The unit a source file belongs to: "(root)" for a package's own index.ts of a per-folder package. */
function unitOf(path: string): string {
  const [pkg, src, ...rest] = relative(packages, path).split("/");
  if (pkg === undefined || src !== "src") return `(outside: ${relative(packages, path)})`;
  if (WHOLE.has(pkg)) return pkg;
  return rest.length > 1 ? (rest[0] as string) : "(root)";
}

const layerOf = new Map(LAYERS.flatMap((units, i) => units.map((u) => [u, i] as const)));

/** Every import of our own code by the shipped source, as [importing file, specifier]. */
function imports(): [string, string][] {
  const files = readdirSync(packages).flatMap((pkg) => [...sourceFiles(join(packages, pkg, "src"))]);
  return files.flatMap((file) =>
    [
      ...readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .matchAll(IMPORT),
    ].map((m) => [file, m[1] as string] as [string, string]),
  );
}

function violations(edges: [string, string][]): string[] {
  const found: string[] = [];
  for (const [file, specifier] of edges) {
    const from = unitOf(file);
    const to = specifier.startsWith(".")
      ? unitOf(resolve(dirname(file), specifier))
      : (ENTRY_UNIT[specifier] ?? `(no entry: ${specifier})`);
    const name = relative(packages, file);
    if (specifier.startsWith(".") && from.startsWith("(outside")) continue;
    if (from === "(root)" || to === from || to === "(root)") continue;
    const a = layerOf.get(from);
    const b = layerOf.get(to);
    if (a === undefined || b === undefined) {
      found.push(`${name}: ${a === undefined ? from : to} has no layer`);
      continue;
    }
    if (b < a || (b === a && (SIBLINGS[from] ?? []).includes(to))) continue;
    found.push(`${name} → ${to} (${from} is layer ${a}, ${to} is layer ${b})`);
  }
  return found;
}

describe("the packages and folders are the layers", () => {
  it("every unit has a layer, and nothing imports upward or sideways", () => {
    const units = new Set(imports().map(([file]) => unitOf(file)));
    expect([...units].filter((u) => u !== "(root)" && !layerOf.has(u))).toEqual([]);
    expect(violations(imports())).toEqual([]);
  });

  it("relative imports never leave their package: other packages are imported by name", () => {
    const crossing = imports()
      .filter(([, specifier]) => specifier.startsWith("."))
      .filter(([file, specifier]) => {
        const own = relative(packages, file).split("/")[0];
        return relative(packages, resolve(dirname(file), specifier)).split("/")[0] !== own;
      })
      .map(([file, specifier]) => `${relative(packages, file)}: ${specifier}`);
    expect(crossing).toEqual([]);
  });

  it("the rule bites: upward and sideways imports are reported, downward ones are not", () => {
    const edges = imports();
    // The walker sees the real tree (many imports reach the stream core, and llmstream by name).
    expect(edges.filter(([f, s]) => unitOf(resolve(dirname(f), s)) === "stream").length).toBeGreaterThan(5);
    expect(edges.filter(([, s]) => s === "llmstream").length).toBeGreaterThan(5);
    const at = (path: string) => join(packages, path);
    expect(
      violations([
        [at("llmstream/src/stream/createChatStream.ts"), "../client/streamChat.js"],
        [at("llmstream/src/protocols/handleOpenAiChunk.ts"), "../stream/DeltaSource.js"],
        [at("engine/src/streamEngineChat.ts"), "@llmstream/log"],
        [at("llmstream/src/sse/createSseParser.ts"), "../ndjson/isBlankLine.js"],
        [at("llmstream/src/sse/createSseParser.ts"), "../lines/createLineReader.js"],
        [at("llmstream/src/client/streamChat.ts"), "../stream/createChatStream.js"],
        [at("llmstream/src/client/streamChat.ts"), "@llmstream/engine"],
        [at("log/src/createRequestLog.ts"), "@llmstream/render"],
        [at("cli/src/cli/runCli.ts"), "../server/serveNode.js"],
        [at("cli/src/server/createServeApp.ts"), "@llmstream/log"],
      ]),
    ).toEqual([
      "llmstream/src/stream/createChatStream.ts → client (stream is layer 4, client is layer 5)",
      "llmstream/src/protocols/handleOpenAiChunk.ts → stream (protocols is layer 3, stream is layer 4)",
      "engine/src/streamEngineChat.ts → log (engine is layer 5, log is layer 6)",
      "llmstream/src/sse/createSseParser.ts → ndjson (sse is layer 2, ndjson is layer 2)",
      "llmstream/src/client/streamChat.ts → engine (client is layer 5, engine is layer 5)",
      "log/src/createRequestLog.ts → render (log is layer 6, render is layer 6)",
    ]);
  });
});
