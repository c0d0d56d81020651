import { LlmstreamError, type LlmstreamErrorOptions } from "./LlmstreamError.js";

/**
 * What went wrong with a model file.
 *
 * - `not-configured`: no model file was given and none was found (flag, env, models folder).
 * - `missing`: the path does not exist.
 * - `not-a-file`: the path is a directory or another non-regular file.
 * - `empty`: the file has zero bytes.
 * - `not-gguf`: the file does not start with the GGUF magic, or its header cannot be parsed.
 * - `truncated`: the header promises more tensor data than the file holds.
 * - `unreadable`: the file could not be read (permissions, I/O error).
 * - `load-failed`: llama.cpp refused the file, or the engine could not start.
 * - `generation-failed`: llama.cpp failed while generating.
 * - `prompt-too-long`: the prompt does not fit in the engine's context window.
 * - `download`: `pull` failed (HTTP status, network, disk).
 * - `checksum`: a downloaded file's sha256 differs from the expected one.
 */
export type ModelErrorReason =
  | "not-configured"
  | "missing"
  | "not-a-file"
  | "empty"
  | "not-gguf"
  | "truncated"
  | "unreadable"
  | "load-failed"
  | "generation-failed"
  | "prompt-too-long"
  | "download"
  | "checksum";

/** Options of {@link ModelError}: the common context plus the model file concerned. */
export interface ModelErrorOptions extends LlmstreamErrorOptions {
  /** The model file (or download target) concerned. */
  file?: string;
}

/** The embedded engine's model file is missing, invalid, failed to load, or could not be downloaded. */
export class ModelError extends LlmstreamError {
  override name = "ModelError";
  readonly reason: ModelErrorReason;
  readonly file: string | undefined;

  constructor(reason: ModelErrorReason, message: string, options: ModelErrorOptions = {}) {
    super("model", message, options);
    this.reason = reason;
    this.file = options.file;
  }
}

/** True for a {@link ModelError}, even one from another copy of the library. */
export function isModelError(value: unknown): value is ModelError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { name?: unknown }).name === "ModelError" &&
    (value as { code?: unknown }).code === "model"
  );
}
