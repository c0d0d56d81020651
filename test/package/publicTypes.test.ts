import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/cliProcess.js";

// The published types must compile in a fresh, strict consumer without skipLibCheck. The package is
// packed (`npm pack`) and unpacked into a temporary project, as `npm install <tarball>` would; its
// runtime dependencies are linked from this checkout's node_modules because this machine has no npm
// cache to install them offline. The consumer gets only what an `npm install llmstream` gives it plus
// @types/node: no dev dependency (such as @types/better-sqlite3) of ours.
const root = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  exports: Record<string, unknown>;
};
let consumer: string;

/** The public files of llmstream/sse and llmstream/ndjson, whose TSDoc examples the consumer compiles and runs. */
const exampleSources = [
  "src/sse/createSseParser.ts",
  "src/sse/SseParserStream.ts",
  "src/ndjson/createNdjsonParser.ts",
  "src/ndjson/NdjsonLineStream.ts",
];

interface Example {
  name: string;
  code: string;
  /** What it prints: its `// → …` comments, in order. */
  prints: string[];
}

/** The ```ts blocks of the TSDoc `@example`s in `file`, with the comment's leading ` * ` removed. */
function tsdocExamples(file: string): Example[] {
  const source = readFileSync(join(root, file), "utf8");
  const stem = file
    .replace(/^src\//, "")
    .replace(/\.ts$/, "")
    .replace(/\//g, "-");
  return [...source.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)].map((match, index) => {
    const code = (match[1] ?? "").replace(/^\s*\* ?/gm, "");
    return {
      name: `${stem}-${index}.ts`,
      code,
      prints: [...code.matchAll(/\/\/ → (.*)$/gm)].map((printed) => printed[1] ?? ""),
    };
  });
}

const examples = exampleSources.flatMap(tsdocExamples);

beforeAll(() => {
  ensureBuilt();
  const folder = mkdtempSync(join(tmpdir(), "llmstream-consumer-"));
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", folder], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }),
  ) as { filename: string }[];
  consumer = join(folder, "consumer");
  const unpacked = join(consumer, "node_modules", "llmstream");
  mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", [
    "-xzf",
    join(folder, packed[0]?.filename ?? ""),
    "-C",
    unpacked,
    "--strip-components=1",
  ]);
  for (const name of [...Object.keys(manifest.dependencies), "@types/node"]) {
    const link = join(consumer, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(root, "node_modules", name)), link);
  }
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true,
        types: ["node"],
      },
      files: ["index.ts", ...examples.map((example) => example.name)],
    }),
  );
  const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath !== "./package.json");
  const imports = subpaths.map((subpath, i) => `import * as entry${i} from "${join("llmstream", subpath)}";`);
  writeFileSync(
    join(consumer, "index.ts"),
    [
      ...imports,
      `import { listRequests, openLogDatabase } from "llmstream/log";`,
      `const db = openLogDatabase(":memory:");`,
      `export const rows = listRequests(db, { limit: 1 }).length;`,
      `db.close();`,
      `export const entries = [${subpaths.map((_, i) => `entry${i}`).join(", ")}];`,
      // The parser entries by name, with their types, as a user of them writes it.
      `import { createSseParser, ProtocolError, type SseEvent, type SseParser, type SseParserOptions, SseParserStream } from "llmstream/sse";`,
      `import { createNdjsonParser, type NdjsonParser, type NdjsonParserOptions, NdjsonLineStream, type ProtocolErrorReason } from "llmstream/ndjson";`,
      `const sseOptions: SseParserOptions = { onEvent: (event: SseEvent) => event.data, onRetry: (ms: number) => ms, maxLineLength: 1024 };`,
      `export const sse: SseParser = createSseParser(sseOptions);`,
      `export const sseStream: TransformStream<string, SseEvent> = new SseParserStream({ maxLineLength: 1024 });`,
      `const ndjsonOptions: NdjsonParserOptions = { onLine: (line: string) => line };`,
      `export const ndjson: NdjsonParser = createNdjsonParser(ndjsonOptions);`,
      `export const ndjsonStream: TransformStream<string, string> = new NdjsonLineStream();`,
      `export const reason: ProtocolErrorReason | undefined = new ProtocolError("line-too-long", "x").reason;`,
    ].join("\n"),
  );
  for (const example of examples) writeFileSync(join(consumer, example.name), example.code);
}, 60_000);

describe("the packed package's types", () => {
  it("compile in a strict consumer without skipLibCheck or our dev dependencies", () => {
    expect(existsSync(join(consumer, "node_modules", "@types", "better-sqlite3"))).toBe(false);
    expect(readFileSync(join(consumer, "index.ts"), "utf8")).toContain('from "llmstream/engine"');
    let output = "";
    try {
      execFileSync(
        process.execPath,
        [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", consumer],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 60_000);

  it("include llmstream/sse and llmstream/ndjson, which load from the tarball by name", () => {
    const script = [
      `import { createSseParser } from "llmstream/sse";`,
      `import { createNdjsonParser } from "llmstream/ndjson";`,
      `const out = [];`,
      `const sse = createSseParser({ onEvent: (event) => out.push(event.data) });`,
      `sse.feed("data: one\\r\\n\\r"); sse.feed("\\ndata: two\\n\\n");`,
      `const ndjson = createNdjsonParser({ onLine: (line) => out.push(JSON.parse(line).n) });`,
      `ndjson.feed('{"n":3}\\n{"n":'); ndjson.feed("4}"); ndjson.end();`,
      `console.log(JSON.stringify(out));`,
    ].join("\n");
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: consumer,
      encoding: "utf8",
    });
    expect(output).toBe('["one","two",3,4]\n');
  });

  it("the TSDoc examples of llmstream/sse and llmstream/ndjson compile (above) and print what they say", () => {
    expect(examples.length).toBeGreaterThanOrEqual(exampleSources.length);
    for (const example of examples) {
      expect(example.code, example.name).toMatch(/from "llmstream\/(sse|ndjson)"/);
      expect(example.prints.length, `${example.name} says what it prints`).toBeGreaterThan(0);
      const { code } = transformSync(example.code, { loader: "ts", format: "esm" });
      const output = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
        cwd: consumer,
        encoding: "utf8",
      });
      expect(output, example.name).toBe(example.prints.map((line) => `${line}\n`).join(""));
    }
  }, 60_000);
});
