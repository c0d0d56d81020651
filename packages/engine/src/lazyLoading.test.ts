import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL("./", import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.ts$/.test(entry.name) && !/\.test\.ts$|\.test-helper\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

describe("lazy loading of node-llama-cpp", () => {
  it("is imported at run time only by engineRuntime.ts, and only with a dynamic import()", async () => {
    const runtimeImports: string[] = [];
    for (const file of await sourceFiles(srcDir)) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(/^\s*import\s+(type\s+)?[^;]*?from\s+"node-llama-cpp"/gm)) {
        if (match[1] === undefined) runtimeImports.push(`${relative(srcDir, file)}: static import`);
      }
      if (/\bimport\("node-llama-cpp"\)/.test(text.replace(/typeof import\("node-llama-cpp"\)/g, ""))) {
        runtimeImports.push(`${relative(srcDir, file)}: dynamic import`);
      }
    }
    expect(runtimeImports).toEqual(["engineRuntime.ts: dynamic import"]);
  });
});
