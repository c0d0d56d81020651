import { mkdirSync, type Stats, statSync } from "node:fs";
import { dirname, parse, resolve } from "node:path";

/**
 * Virtual file systems: nothing can be created there, and Node 20's recursive `mkdirSync` spins
 * forever on a missing path under `/proc`, so they are refused before any `mkdir`.
 */
const virtualFileSystems = ["/proc", "/sys", "/dev"];

/**
 * Makes sure `path` is a folder, creating the missing ones one level at a time (never with
 * `recursive: true`, see above). Throws an `Error` naming the path and what to do when a file is in
 * the way, the path is on a virtual file system, a folder would have to be created directly at the
 * file system root (a mistyped path, not a request), or `mkdir` fails (read-only, no permission, full).
 *
 * @example
 * ```ts
 * ensureDirectory(join(llmstreamHome(), "logs"));
 * ```
 */
export function ensureDirectory(path: string): void {
  const target = resolve(path);
  const { root } = parse(target);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const stat = statIfPresent(current);
    if (stat !== undefined) {
      if (!stat.isDirectory()) {
        throw new Error(`${current} is a file, not a folder: move it away or choose another path`);
      }
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (missing.length === 0) return;
  const virtual = virtualFileSystems.find((top) => target === top || target.startsWith(`${top}/`));
  if (process.platform !== "win32" && virtual !== undefined) {
    throw new Error(
      `Cannot create ${target}: ${virtual} is a virtual file system; choose a folder on a real disk`,
    );
  }
  for (const folder of missing.reverse()) {
    if (dirname(folder) === root) {
      throw new Error(
        `Will not create ${folder} at the file system root: create it yourself, or choose a folder inside an existing one`,
      );
    }
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && statIfPresent(folder)?.isDirectory())
        continue;
      throw new Error(`Cannot create the folder ${folder}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The entry at `path`, or `undefined` when there is none (or a file stands where a folder would be). */
function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
