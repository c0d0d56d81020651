import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

/**
 * Compiles `src/log` (and what it imports) to plain JavaScript for child processes, which run on
 * Node 20 and cannot import TypeScript. It compiles the current sources rather than trusting `dist/`,
 * which may be stale or broken by unrelated work. The output sits under `node_modules/.cache` so the
 * children resolve `better-sqlite3` from the repo. Returns the URL of the compiled `log/index.js`.
 */
export function compileLogForChildren(): { indexUrl: string; outDir: string } {
  const cacheDir = join(repoRoot, "node_modules", ".cache");
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(join(cacheDir, "llmstream-log-test-"));
  const tsconfig = join(outDir, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.build.json"),
      compilerOptions: {
        outDir: join(outDir, "out"),
        rootDir: join(repoRoot, "src"),
        declaration: false,
        sourceMap: false,
      },
      files: [join(repoRoot, "src/log/index.ts")],
      include: [],
    }),
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", tsconfig], { stdio: "pipe" });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? "";
    throw new Error(`Compiling src/log for the child processes failed:\n${output}`, { cause: error });
  }
  return { indexUrl: new URL(`file://${join(outDir, "out", "log", "index.js")}`).href, outDir };
}
