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
      files: ["index.ts"],
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
    ].join("\n"),
  );
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
});
