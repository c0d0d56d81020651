import { stat } from "node:fs/promises";
import { isModelError } from "llmstream";
import { readGgufMetadata } from "./readGgufMetadata.js";
import {
  defaultModelsDir,
  developmentModelFile,
  findLocalModels,
  resolveModelFile,
} from "./resolveModelFile.js";

/** One GGUF model the engine can use, with what its header says (`llmstream models` shows one per row). */
export interface ModelListing {
  file: string;
  /** Where the file was found: the models folder, `LLMSTREAM_MODEL_FILE`, or the development fallback. */
  source: "models-dir" | "env" | "development-fallback";
  /** True for the file {@link resolveModelFile} picks when no `modelFile` is given. */
  default: boolean;
  sizeBytes?: number;
  architecture?: string;
  parameterCount?: number;
  contextLength?: number;
  hasChatTemplate?: boolean;
  fileType?: string;
  /** Why the file cannot be used, when it cannot. */
  error?: string;
}

/** Options of {@link listModels}. */
export interface ListModelsOptions {
  /** Environment variables read: `LLMSTREAM_MODEL_FILE`, `LLMSTREAM_MODELS_DIR`, the cache dir ones. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** The models folder, instead of `LLMSTREAM_MODELS_DIR` or the default. */
  modelsDir?: string;
}

/**
 * The GGUF models the engine can use: the models folder's `.gguf` files, then the file
 * {@link resolveModelFile} would pick if it lies elsewhere (`LLMSTREAM_MODEL_FILE`, the development
 * fallback). Details come from each file's header; no model is loaded. A file that is not a usable
 * GGUF model is listed with its `error`.
 *
 * @example
 * ```ts
 * for (const model of await listModels()) console.log(model.default ? "*" : " ", model.file);
 * ```
 */
export async function listModels(options: ListModelsOptions = {}): Promise<ModelListing[]> {
  const env = options.env ?? process.env;
  const dir = options.modelsDir ?? defaultModelsDir(env);
  const resolved = await resolveModelFile({ env, modelsDir: dir });
  const entries: { file: string; source: ModelListing["source"] }[] = (await findLocalModels(dir)).map(
    (local) => ({ file: local.file, source: "models-dir" }),
  );
  if (resolved !== undefined && !entries.some((entry) => entry.file === resolved)) {
    const fromEnv = env.LLMSTREAM_MODEL_FILE !== undefined && env.LLMSTREAM_MODEL_FILE !== "";
    entries.push({
      file: resolved,
      source: fromEnv || resolved !== developmentModelFile ? "env" : "development-fallback",
    });
  }
  const listings: ModelListing[] = [];
  for (const { file, source } of entries) {
    const listing: ModelListing = { file, source, default: file === resolved };
    const sizeBytes = await stat(file).then(
      (stats) => (stats.isFile() ? stats.size : undefined),
      () => undefined,
    );
    if (sizeBytes !== undefined) listing.sizeBytes = sizeBytes;
    try {
      const info = await readGgufMetadata(file);
      listing.sizeBytes = info.sizeBytes;
      if (info.architecture !== undefined) listing.architecture = info.architecture;
      listing.parameterCount = info.parameterCount;
      if (info.contextLength !== undefined) listing.contextLength = info.contextLength;
      listing.hasChatTemplate = info.hasChatTemplate;
      listing.fileType = info.fileType;
    } catch (error) {
      if (!isModelError(error)) throw error;
      listing.error = error.message;
    }
    listings.push(listing);
  }
  return listings;
}
