import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The folders are the layers (README, "Architecture"). A folder may import from its own folder and
// from any lower layer; within a layer only where `SIBLINGS` says so. Tests and test helpers may
// cross freely: they are not shipped.
const LAYERS: string[][] = [
  ["types", "errors", "utils"],
  ["lines"],
  ["json", "sse", "ndjson", "metrics", "chunking"],
  ["protocols"],
  ["stream"],
  ["client", "engine"],
  ["log", "render", "mock"],
  ["server", "web", "bench"],
  ["cli"],
];
/** Allowed imports between folders of one layer. */
const SIBLINGS: Record<string, string[]> = {
  // `types` and `errors` are one foundation: errors carry a partial result, options name errors.
  types: ["errors"],
  errors: ["types"],
  // `serve` hands the chat page out at `/`
  server: ["web"],
};

const src = fileURLToPath(new URL("../../src/", import.meta.url));
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.ts$/.test(entry.name) && !/\.test(-helper)?\.ts$|\.test\.ts$/.test(entry.name)) yield path;
  }
}

function folderOf(path: string): string {
  const rel = relative(src, path);
  return rel.includes("/") ? (rel.split("/")[0] as string) : "(root)";
}

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

/** Every relative import of the shipped source, as [importing file, specifier]. */
function imports(): [string, string][] {
  return [...sourceFiles(src)].flatMap((file) =>
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
    const from = folderOf(file);
    const to = folderOf(resolve(dirname(file), specifier));
    if (from === "(root)" || to === from || to === "(root)") continue;
    const a = layerOf.get(from);
    const b = layerOf.get(to);
    if (a === undefined || b === undefined) {
      found.push(`${relative(src, file)}: folder ${a === undefined ? from : to} has no layer`);
      continue;
    }
    if (b < a || (b === a && (SIBLINGS[from] ?? []).includes(to))) continue;
    found.push(`${relative(src, file)} → ${to} (${from} is layer ${a}, ${to} is layer ${b})`);
  }
  return found;
}

describe("the folders are the layers", () => {
  it("every src folder has a layer, and nothing imports upward or sideways", () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !layerOf.has(f))).toEqual([]);
    expect(violations(imports())).toEqual([]);
  });

  it("the rule bites: upward and sideways imports are reported, downward ones are not", () => {
    const edges = imports();
    // The walker sees the real tree (many imports reach the stream core from above).
    expect(edges.filter(([f, s]) => folderOf(resolve(dirname(f), s)) === "stream").length).toBeGreaterThan(5);
    const at = (path: string) => join(src, path);
    expect(
      violations([
        [at("stream/createChatStream.ts"), "../client/streamChat.js"],
        [at("protocols/handleOpenAiChunk.ts"), "../stream/DeltaSource.js"],
        [at("engine/streamEngineChat.ts"), "../client/streamChat.js"],
        [at("sse/createSseParser.ts"), "../ndjson/isBlankLine.js"],
        [at("sse/createSseParser.ts"), "../lines/createLineReader.js"],
        [at("client/streamChat.ts"), "../stream/createChatStream.js"],
        [at("cli/runCli.ts"), "../server/serveNode.js"],
      ]),
    ).toEqual([
      "stream/createChatStream.ts → client (stream is layer 4, client is layer 5)",
      "protocols/handleOpenAiChunk.ts → stream (protocols is layer 3, stream is layer 4)",
      "engine/streamEngineChat.ts → client (engine is layer 5, client is layer 5)",
      "sse/createSseParser.ts → ndjson (sse is layer 2, ndjson is layer 2)",
    ]);
  });
});
