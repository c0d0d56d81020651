import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Options of {@link resolveModelFile}; every field defaults to the real environment. */
export interface ResolveModelFileOptions {
  /** An explicit model file (`--model-file`): wins over everything, returned even if it does not exist. */
  modelFile?: string;
  /** Environment variables read: `LLMSTREAM_MODEL_FILE`, `LLMSTREAM_MODELS_DIR`, `XDG_CACHE_HOME`, `LOCALAPPDATA`. */
  env?: NodeJS.ProcessEnv;
  /** The models folder, instead of `LLMSTREAM_MODELS_DIR` or the default. */
  modelsDir?: string;
  /** The development fallback file; `false` disables it. @defaultValue {@link developmentModelFile} */
  developmentFallback?: string | false;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

/**
 * The development fallback: `stories260K.gguf` in the `shared/models` folder beside the package root
 * (this repository's layout on the build machines), so `npm run demo` works on a fresh clone with no
 * download. The path is computed from this file, which sits in `packages/engine/src/` and
 * `packages/engine/dist/`, three levels below the repository root.
 */
export const developmentModelFile: string = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);

/**
 * The default models folder: `<user cache dir>/llmstream/models`, where the cache dir is
 * `$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS and `%LOCALAPPDATA%` on Windows.
 * `LLMSTREAM_MODELS_DIR` replaces it.
 */
export function defaultModelsDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.LLMSTREAM_MODELS_DIR) return resolve(env.LLMSTREAM_MODELS_DIR);
  let cache: string;
  if (platform === "darwin") cache = join(home, "Library", "Caches");
  else if (platform === "win32") cache = env.LOCALAPPDATA || join(home, "AppData", "Local");
  else cache = env.XDG_CACHE_HOME || join(home, ".cache");
  return join(cache, "llmstream", "models");
}

/** A `.gguf` file found in a models folder. */
export interface LocalModelFile {
  file: string;
  sizeBytes: number;
  modifiedMs: number;
}

/**
 * The `.gguf` files directly inside `dir`, sorted by name; `[]` when the folder does not exist.
 * Unfinished downloads (`.part`) and other files are skipped.
 */
export async function findLocalModels(dir: string): Promise<LocalModelFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
  const found: LocalModelFile[] = [];
  for (const name of names.sort()) {
    if (!name.toLowerCase().endsWith(".gguf")) continue;
    const file = join(dir, name);
    const stats = await stat(file).catch(() => undefined);
    if (stats?.isFile()) found.push({ file, sizeBytes: stats.size, modifiedMs: stats.mtimeMs });
  }
  return found;
}

/**
 * Picks the model file for the embedded engine, first match wins:
 * 1. `modelFile` (the `--model-file` flag);
 * 2. `LLMSTREAM_MODEL_FILE`;
 * 3. the most recently modified `.gguf` in the models folder (see {@link defaultModelsDir});
 * 4. the development fallback (see {@link developmentModelFile}), if it exists.
 *
 * Resolves to `undefined` when nothing is found. An explicit file is returned even if it does not
 * exist, so the error names it.
 */
export async function resolveModelFile(options: ResolveModelFileOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  if (options.modelFile) return resolve(options.modelFile);
  if (env.LLMSTREAM_MODEL_FILE) return resolve(env.LLMSTREAM_MODEL_FILE);
  const dir = options.modelsDir ?? defaultModelsDir(env, options.platform, options.homeDir);
  const local = await findLocalModels(dir);
  let newest: LocalModelFile | undefined;
  for (const candidate of local)
    if (newest === undefined || candidate.modifiedMs > newest.modifiedMs) newest = candidate;
  if (newest !== undefined) return newest.file;
  const fallback = options.developmentFallback ?? developmentModelFile;
  if (fallback !== false && existsSync(fallback)) return fallback;
  return undefined;
}
