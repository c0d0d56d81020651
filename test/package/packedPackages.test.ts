import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { transformSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/cliProcess.js";

// Every workspace package is packed (`npm pack`) as it would be published.
// - The library, `llmstream`, is installed with a real `npm install <tarball>` into an empty project:
//   it has no dependency, so this needs no network. Its size, its lack of install scripts and native
//   files, and its types in a strict project with no `@types/node` are checked there.
// - All packages together are unpacked into a second project, as npm would lay them out; their
//   third-party dependencies are linked from this checkout's node_modules: what each package
//   declares and what those need in turn (tests reach no registry: a real install of those needs the
//   network, and `npm run measure:install` does that and prints the sizes the README gives). An
//   undeclared dependency is caught by test/architecture/dependencies.test.ts; here the published
//   types are checked strict, without skipLibCheck, and the command runs from the unpacked packages.
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const run = promisify(execFile);

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
}

const workspaces = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] })
  .workspaces;
const manifests = workspaces.map(
  (folder) => JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8")) as Manifest,
);
const ours = new Set(manifests.map((manifest) => manifest.name));
const library = manifests.find((manifest) => manifest.name === "llmstream") as Manifest;
const LIBRARY_LIMIT = 5 * 1024 * 1024;

/** `name/subpath` for every entry of `manifest`'s exports map (package.json left out). */
function entries(manifest: Manifest): string[] {
  return Object.keys(manifest.exports ?? {})
    .filter((subpath) => subpath !== "./package.json")
    .map((subpath) => join(manifest.name, subpath));
}

/** The public files of llmstream/sse and llmstream/ndjson, whose TSDoc examples the consumer compiles and runs. */
const exampleSources = [
  "packages/llmstream/src/sse/createSseParser.ts",
  "packages/llmstream/src/sse/SseParserStream.ts",
  "packages/llmstream/src/ndjson/createNdjsonParser.ts",
  "packages/llmstream/src/ndjson/NdjsonLineStream.ts",
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
    .replace(/^packages\/llmstream\/src\//, "")
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

/** A strict consumer's tsconfig: no skipLibCheck, and only the `types` given. */
function writeStrictProject(project: string, files: string[], types: string[]): void {
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true,
        types,
      },
      files,
    }),
  );
}

/** What tsc says about `project` ("" when it compiles). */
function typeErrors(project: string): string {
  try {
    execFileSync(process.execPath, [tsc, "-p", project], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

/** Every file under `dir`, symlinks not followed. */
function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

let packs: string;
const tarballs = new Map<string, string>();
let mock: MockServer;

beforeAll(async () => {
  ensureBuilt();
  packs = mkdtempSync(join(tmpdir(), "llmstream-packs-"));
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--workspaces", "--ignore-scripts", "--json", "--pack-destination", packs], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }),
  ) as { name: string; filename: string }[];
  for (const { name, filename } of packed) tarballs.set(name, join(packs, filename));
  mock = await createMockServer();
}, 60_000);

afterAll(async () => {
  await mock?.close();
});

describe("the packed packages", () => {
  it("are every workspace package, versioned together, depending on each other at that exact version", () => {
    expect([...tarballs.keys()].sort()).toEqual([...ours].sort());
    for (const manifest of manifests) {
      expect(manifest.version, manifest.name).toBe(library.version);
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {}))
        if (ours.has(dependency)) expect(range, `${manifest.name} → ${dependency}`).toBe(library.version);
    }
  });
});

describe("llmstream, installed with npm into an empty project", () => {
  let consumer: string;

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), "llmstream-library-"));
    writeStrictProject(consumer, ["index.ts", ...examples.map((example) => example.name)], []);
    execFileSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--no-save", tarballs.get("llmstream") as string],
      { cwd: consumer, stdio: "ignore" },
    );
    const imports = entries(library).map((entry, i) => `import * as entry${i} from "${entry}";`);
    writeFileSync(
      join(consumer, "index.ts"),
      [
        ...imports,
        `export const entries = [${imports.map((_, i) => `entry${i}`).join(", ")}];`,
        // The parser entries by name, with their types, as a user of them writes it.
        `import { createSseParser, ProtocolError, type SseEvent, type SseParser, type SseParserOptions, SseParserStream } from "llmstream/sse";`,
        `import { createNdjsonParser, type NdjsonParser, type NdjsonParserOptions, NdjsonLineStream, type ProtocolErrorReason } from "llmstream/ndjson";`,
        `import { type ChatResult, type StreamEvent, streamChat } from "llmstream";`,
        `const sseOptions: SseParserOptions = { onEvent: (event: SseEvent) => event.data, onRetry: (ms: number) => ms, maxLineLength: 1024 };`,
        `export const sse: SseParser = createSseParser(sseOptions);`,
        `export const sseStream: TransformStream<string, SseEvent> = new SseParserStream({ maxLineLength: 1024 });`,
        `const ndjsonOptions: NdjsonParserOptions = { onLine: (line: string) => line };`,
        `export const ndjson: NdjsonParser = createNdjsonParser(ndjsonOptions);`,
        `export const ndjsonStream: TransformStream<string, string> = new NdjsonLineStream();`,
        `export const reason: ProtocolErrorReason | undefined = new ProtocolError("line-too-long", "x").reason;`,
        `export async function answer(baseURL: string): Promise<[StreamEvent[], ChatResult]> {`,
        `  const stream = streamChat({ baseURL, model: "m", messages: [{ role: "user", content: "hi" }] });`,
        `  const events: StreamEvent[] = [];`,
        `  for await (const event of stream) events.push(event);`,
        `  return [events, await stream.result];`,
        `}`,
      ].join("\n"),
    );
    for (const example of examples) writeFileSync(join(consumer, example.name), example.code);
  }, 60_000);

  it("is one package with no dependency, under 5 MB, with no install script and no native file", () => {
    const modules = join(consumer, "node_modules");
    expect(readdirSync(modules).filter((name) => !name.startsWith("."))).toEqual(["llmstream"]);
    expect(lstatSync(join(modules, "llmstream")).isSymbolicLink()).toBe(false);
    let bytes = 0;
    for (const file of filesUnder(modules)) {
      bytes += lstatSync(file).size;
      expect(file).not.toMatch(/\.node$|binding\.gyp$/);
    }
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(LIBRARY_LIMIT);
    const installed = JSON.parse(
      readFileSync(join(modules, "llmstream", "package.json"), "utf8"),
    ) as Manifest;
    expect(installed.dependencies ?? {}).toEqual({});
    expect(Object.keys(installed.scripts ?? {}).filter((name) => /install|prepare/.test(name))).toEqual([]);
  });

  it("types compile in a strict consumer without skipLibCheck and without @types/node", () => {
    expect(existsSync(join(consumer, "node_modules", "@types"))).toBe(false);
    expect(readFileSync(join(consumer, "index.ts"), "utf8")).toContain('from "llmstream/node"');
    expect(typeErrors(consumer)).toBe("");
  }, 60_000);

  it("streams an answer in Node by name (the node:http transport, chosen by the `node` condition)", async () => {
    const { code } = transformSync(readFileSync(join(consumer, "index.ts"), "utf8"), {
      loader: "ts",
      format: "esm",
    });
    writeFileSync(join(consumer, "index.js"), code);
    const script = `const { answer } = await import("./index.js");
const [events, result] = await answer(${JSON.stringify(mock.baseURL)});
console.log(JSON.stringify({ types: [...new Set(events.map((e) => e.type))], text: result.text }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    const printed = JSON.parse(stdout) as { types: string[]; text: string };
    expect(printed.text).toBe(MOCK_ANSWER);
    expect(printed.types).toContain("done");
    expect(mock.requests.at(-1)?.path).toBe("/v1/chat/completions");
  });

  it("llmstream/sse and llmstream/ndjson load from the tarball by name", () => {
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

describe("every package, unpacked into one project with only its declared dependencies", () => {
  let consumer: string;
  let home: string;
  /** The command as npm links it: the CLI package's `bin` entry. */
  const cli = () => {
    const manifest = manifests.find((m) => m.name === "@llmstream/cli") as Manifest;
    return join(consumer, "node_modules", "@llmstream", "cli", manifest.bin?.llmstream ?? "(no bin)");
  };
  const runCli = (args: string[]) =>
    run(process.execPath, [cli(), ...args], {
      cwd: consumer,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LLMSTREAM_HOME: home, NO_COLOR: "1" },
      timeout: 60_000,
    });

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), "llmstream-packages-"));
    home = mkdtempSync(join(tmpdir(), "llmstream-packages-home-"));
    const modules = join(consumer, "node_modules");
    // A third-party dependency is linked with everything it needs in turn, flat, as npm lays it out.
    const link = (name: string) => {
      const target = join(modules, name);
      const source = join(root, "node_modules", name);
      if (existsSync(target) || !existsSync(source)) return;
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(realpathSync(source), target);
      const needs = JSON.parse(readFileSync(join(source, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      const peers = Object.keys(needs.peerDependencies ?? {}).filter(
        (peer) => needs.peerDependenciesMeta?.[peer]?.optional !== true,
      );
      for (const next of [...Object.keys({ ...needs.dependencies, ...needs.optionalDependencies }), ...peers])
        link(next);
    };
    for (const manifest of manifests) {
      const folder = join(modules, manifest.name);
      mkdirSync(folder, { recursive: true });
      execFileSync("tar", [
        "-xzf",
        tarballs.get(manifest.name) as string,
        "-C",
        folder,
        "--strip-components=1",
      ]);
    }
    for (const manifest of manifests)
      for (const dependency of Object.keys(manifest.dependencies ?? {}))
        if (!ours.has(dependency)) link(dependency);
    link("@types/node");
    const imports = manifests.flatMap(entries).map((entry, i) => `import * as entry${i} from "${entry}";`);
    writeStrictProject(consumer, ["index.ts"], ["node"]);
    writeFileSync(
      join(consumer, "index.ts"),
      [
        ...imports,
        `export const entries = [${imports.map((_, i) => `entry${i}`).join(", ")}];`,
        `import { listRequests, openLogDatabase } from "@llmstream/log";`,
        `import { type EngineModel, streamEngineChat } from "@llmstream/engine";`,
        `import { renderMarkdown } from "@llmstream/render";`,
        `import { createMockServer, type Scenario } from "@llmstream/mock";`,
        `const db = openLogDatabase(":memory:");`,
        `export const rows = listRequests(db, { limit: 1 }).length;`,
        `db.close();`,
        `export const model: EngineModel | undefined = undefined;`,
        `export const engine: typeof streamEngineChat = streamEngineChat;`,
        `export const heading: string = renderMarkdown("# Hi", { columns: 20, color: false });`,
        `export const scenario: Scenario | undefined = undefined;`,
        `export const server: typeof createMockServer = createMockServer;`,
      ].join("\n"),
    );
  }, 60_000);

  it("holds our packages and the closure of what they declare, and nothing of our dev dependencies", () => {
    const present = new Set(
      readdirSync(join(consumer, "node_modules")).flatMap((name) =>
        name.startsWith("@")
          ? readdirSync(join(consumer, "node_modules", name)).map((n) => `${name}/${n}`)
          : [name],
      ),
    );
    for (const name of [...ours, "node-llama-cpp", "better-sqlite3", "commander", "marked", "prom-client"])
      expect(present, name).toContain(name);
    for (const name of ["vitest", "typescript", "openai", "esbuild", "@types/better-sqlite3", "fast-check"])
      expect(present, name).not.toContain(name);
  });

  it("types compile in a strict consumer without skipLibCheck or our dev dependencies", () => {
    expect(existsSync(join(consumer, "node_modules", "@types", "better-sqlite3"))).toBe(false);
    expect(readFileSync(join(consumer, "index.ts"), "utf8")).toContain('from "@llmstream/engine"');
    expect(typeErrors(consumer)).toBe("");
  }, 120_000);

  it("the llmstream command runs from the CLI package: --version, chat against a server, and logs", async () => {
    const version = await runCli(["--version"]);
    expect(version.stdout.trim()).toBe(library.version);
    const chat = await runCli(["chat", "--base-url", mock.baseURL, "--model", "m", "hi"]);
    expect(chat.stdout).toBe(`${MOCK_ANSWER}\n`);
    const logs = await runCli(["logs", "--json"]);
    expect(logs.stdout).toContain('"model":"m"');
  }, 120_000);

  it("the embedded engine runs from the installed packages (node-llama-cpp's binaries load)", async () => {
    const model = join(root, "..", "shared", "models", "stories260K.gguf");
    const chat = await runCli([
      "chat",
      "--model-file",
      model,
      "--max-tokens",
      "12",
      "--no-log",
      "Once upon a time",
    ]);
    expect(chat.stdout.trim().length).toBeGreaterThan(10);
  }, 120_000);
});

describe("this checkout", () => {
  it("has the llmstream command linked by npm ci, so `npx llmstream` runs it without a download", async () => {
    const { stdout } = await run("npx", ["--no-install", "llmstream", "--version"], {
      cwd: root,
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe(library.version);
  });
});
