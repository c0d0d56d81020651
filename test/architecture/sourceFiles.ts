import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Every shipped TypeScript file under `dir`: `.ts` files that are not tests or test helpers, in no
 * `dist` or `node_modules` folder, nor in a folder named in `skip` (full paths).
 */
export function* sourceFiles(dir: string, skip: readonly string[] = []): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "dist" && entry.name !== "node_modules" && !skip.includes(path))
        yield* sourceFiles(path, skip);
    } else if (entry.name.endsWith(".ts") && !/\.test(-helper)?\.ts$/.test(entry.name)) yield path;
  }
}
