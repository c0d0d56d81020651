import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./sourceFiles.js";

// Each package is installed on its own by its users, so what its shipped source imports must be what
// its package.json declares: an undeclared import works in this workspace (everything is hoisted)
// and breaks in a user's project; a declared one that nothing imports makes every install bigger.
const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
/** Source bundled at build time (the chat page): its imports are build tools' business, not users'. */
const BUNDLED = [join(packages, "cli", "src", "web", "app")];
/** Static and dynamic imports, re-exports, `typeof import()` and `require()` of a bare specifier. */
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s*(?:type\s+)?(?:[^'"`;]*?\s*from\s*)?["']([^"'.#][^"']*)["']|(?:import|require)\(\s*["']([^"'.#][^"']*)["']\s*\)/gm;

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

/** The npm packages the shipped source of `source` imports (Node built-ins left out). */
function importedPackages(source: string): Set<string> {
  const found = new Set<string>();
  for (const file of sourceFiles(source, BUNDLED)) {
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const match of code.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? "";
      if (specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      found.add(packageOf(specifier));
    }
  }
  return found;
}

const names = readdirSync(packages);

describe("package dependencies", () => {
  it("finds the imports it is meant to find", () => {
    expect([...importedPackages(join(packages, "engine", "src"))].sort()).toEqual([
      "llmstream",
      "node-llama-cpp",
    ]);
  });

  it.each(names)("packages/%s declares exactly what its source imports", (name) => {
    const manifest = JSON.parse(readFileSync(join(packages, name, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
    };
    const imported = importedPackages(join(packages, name, "src"));
    imported.delete(manifest.name); // a self-reference through its own exports
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...imported].sort());
  });

  it("the library declares none", () => {
    const manifest = JSON.parse(readFileSync(join(packages, "llmstream", "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies).toBeUndefined();
  });
});
