import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../../../test/cli/cliProcess.js";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");

/**
 * Compiles `packages/log/src` to plain JavaScript for child processes, which run on Node 20 and
 * cannot import TypeScript. It compiles the current log sources rather than trusting the log's
 * `dist/`, which may be stale or broken by unrelated work; `llmstream` itself comes from its build
 * (`ensureBuilt()`). The output sits under `node_modules/.cache` so the children resolve
 * `better-sqlite3` and `llmstream` from the repo. Returns the URL of the compiled `index.js`.
 */
export function compileLogForChildren(): { indexUrl: string; outDir: string } {
  ensureBuilt();
  const cacheDir = join(repoRoot, "node_modules", ".cache");
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(join(cacheDir, "llmstream-log-test-"));
  const tsconfig = join(outDir, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.base.json"),
      compilerOptions: {
        outDir: join(outDir, "out"),
        rootDir: join(repoRoot, "packages/log/src"),
        declaration: false,
        sourceMap: false,
        skipLibCheck: true,
      },
      files: [join(repoRoot, "packages/log/src/index.ts")],
      include: [],
    }),
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", tsconfig], { stdio: "pipe" });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? "";
    throw new Error(`Compiling packages/log/src for the child processes failed:\n${output}`, {
      cause: error,
    });
  }
  return { indexUrl: new URL(`file://${join(outDir, "out", "index.js")}`).href, outDir };
}
