import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
// The real parser sources and what they import, transpiled as they are (no bundling, no mocks).
const sources = [
  "errors/LlmstreamError.ts",
  "errors/ProtocolError.ts",
  "sse/createSseParser.ts",
  "sse/createSseLineParser.ts",
  "sse/dataValueStart.ts",
  "lines/createLineReader.ts",
  "lines/decodeUtf8.ts",
  "ndjson/createNdjsonParser.ts",
  "ndjson/isBlankLine.ts",
];

/**
 * Runs an ES module script in a fresh Node process next to transpiled copies of the parsers (import
 * them as "./sse/createSseParser.js" etc.), and returns what the script printed as JSON on stdout.
 * A separate process gives a clean RSS baseline that the test runner's own heap does not disturb;
 * it runs with `--expose-gc` so the script can call `gc()`.
 */
export async function runParserScript<T>(script: string): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), "llmstream-parsers-"));
  try {
    await writeFile(join(directory, "package.json"), '{"type":"module"}');
    for (const source of sources) {
      const text = await readFile(join(sourceRoot, source), "utf8");
      const output = ts.transpileModule(text, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
      }).outputText;
      await mkdir(join(directory, dirname(source)), { recursive: true });
      await writeFile(join(directory, source.replace(/\.ts$/, ".js")), output);
    }
    await writeFile(join(directory, "script.js"), script);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ["--expose-gc", join(directory, "script.js")],
        { timeout: 60_000 },
        (error, out, err) => {
          if (error) reject(new Error(`Child script failed: ${err || error.message}`));
          else resolve(out);
        },
      );
    });
    return JSON.parse(stdout) as T;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
