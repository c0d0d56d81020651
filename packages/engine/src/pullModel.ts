import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isModelError, ModelError } from "llmstream";
import { ensureDirectory } from "llmstream/node";
import { readGgufMetadata } from "./readGgufMetadata.js";
import { defaultModelsDir } from "./resolveModelFile.js";

/** How far a download has come, for progress bars. */
export interface PullProgress {
  /** Bytes on disk so far, including a resumed part. */
  receivedBytes: number;
  /** The final size, when the server said it. */
  totalBytes: number | undefined;
  /** Bytes that were already in the `.part` file when this download started. */
  resumedFromBytes: number;
}

/** Options of {@link pullModel}. */
export interface PullModelOptions {
  /** The models folder. @defaultValue `defaultModelsDir()` (honours `LLMSTREAM_MODELS_DIR`) */
  modelsDir?: string;
  /** Expected sha256 (hex); a mismatch deletes the download and throws. */
  sha256?: string;
  /** Read for `LLMSTREAM_HF_ENDPOINT` and `LLMSTREAM_MODELS_DIR`. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /**
   * Give up when no bytes arrive for this long (waiting for the response included), keeping the
   * `.part` file for the next run to resume. @defaultValue 60000
   */
  stallTimeoutMs?: number;
  /** Called after every written chunk. */
  onProgress?: (progress: PullProgress) => void;
}

/** What {@link pullModel} did. */
export interface PullModelResult {
  file: string;
  url: string;
  sizeBytes: number;
  /** sha256 of the whole file, hex. */
  sha256: string;
  /** Bytes reused from an earlier interrupted download. */
  resumedFromBytes: number;
  /** True when the file was already there and nothing was downloaded. */
  alreadyPresent: boolean;
}

/**
 * The download URL for a `pull` argument: an `http(s)://` URL as is, or
 * `hf:<owner>/<repo>/<path/to/file.gguf>` → `https://huggingface.co/<owner>/<repo>/resolve/main/<path>`,
 * with the host replaced by `LLMSTREAM_HF_ENDPOINT` when set.
 *
 * @throws {ModelError} `download` for anything else.
 */
export function resolvePullUrl(source: string, env: NodeJS.ProcessEnv = process.env): string {
  if (source.startsWith("hf:")) {
    const parts = source.slice(3).replace(/^\/+/, "").split("/");
    const [owner, repo, ...path] = parts;
    if (!owner || !repo || path.length === 0 || path.some((part) => part === "")) {
      throw new ModelError(
        "download",
        `Cannot read ${JSON.stringify(source)} as a Hugging Face file: write hf:<owner>/<repo>/<file.gguf>`,
      );
    }
    const endpoint = (env.LLMSTREAM_HF_ENDPOINT || "https://huggingface.co").replace(/\/+$/, "");
    return `${endpoint}/${owner}/${repo}/resolve/main/${path.map(encodeURIComponent).join("/")}`;
  }
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new ModelError(
      "download",
      `Cannot download ${JSON.stringify(source)}: give an http(s):// URL or hf:<owner>/<repo>/<file.gguf>`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ModelError(
      "download",
      `Cannot download ${source}: only http(s) URLs and hf: URIs are supported`,
    );
  }
  return url.href;
}

/**
 * Downloads a GGUF model into the models folder: into `<name>.part` first, resuming an earlier
 * interrupted download with an HTTP `Range` request, then checks the sha256 (when given) and the GGUF
 * header, and renames the file into place atomically. A file already in place is not downloaded again.
 *
 * @throws {ModelError} `download` (HTTP status, network, disk, not GGUF) or `checksum`.
 */
export async function pullModel(source: string, options: PullModelOptions = {}): Promise<PullModelResult> {
  const env = options.env ?? process.env;
  const url = resolvePullUrl(source, env);
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  if (!name.toLowerCase().endsWith(".gguf") || name.includes("\\")) {
    throw new ModelError("download", `Cannot pull ${url}: the URL must end in a .gguf file name`);
  }
  const dir = options.modelsDir ?? defaultModelsDir(env);
  const file = join(dir, name);
  const part = `${file}.part`;
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new ModelError(
      "checksum",
      `The expected sha256 must be 64 hex digits, got ${JSON.stringify(options.sha256)}`,
    );
  }
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isFile()) {
    const sha256 = await hashFile(file, createHash("sha256")).then((hash) => hash.digest("hex"));
    if (expected !== undefined && sha256 !== expected) {
      throw new ModelError(
        "checksum",
        `${file} already exists but its sha256 is ${sha256}, not ${expected}: delete it and pull again`,
        { file },
      );
    }
    return { file, url, sizeBytes: existing.size, sha256, resumedFromBytes: 0, alreadyPresent: true };
  }
  try {
    // Not `mkdir(dir, { recursive: true })`: on Node 20 it never settles for a path under /proc.
    ensureDirectory(dir);
  } catch (error) {
    throw new ModelError("download", `Cannot use the models folder ${dir}: ${messageOf(error)}`, {
      file,
      cause: error,
    });
  }
  const { sizeBytes, hash, resumedFromBytes } = await download(url, part, options);
  const sha256 = hash.digest("hex");
  if (expected !== undefined && sha256 !== expected) {
    await rm(part, { force: true });
    throw new ModelError(
      "checksum",
      `The download from ${url} has sha256 ${sha256}, not the expected ${expected}; it was deleted. Check the URL and the checksum`,
      { file, url },
    );
  }
  try {
    await readGgufMetadata(part);
  } catch (error) {
    await rm(part, { force: true });
    const detail = isModelError(error) ? error.message : messageOf(error);
    throw new ModelError(
      "download",
      `The download from ${url} is not a usable GGUF model; it was deleted. ${detail}`,
      {
        file,
        url,
        cause: error,
      },
    );
  }
  await rename(part, file);
  return { file, url, sizeBytes, sha256, resumedFromBytes, alreadyPresent: false };
}

const defaultStallTimeoutMs = 60_000;

/** Aborts `signal` when `arm()` is not called again within `ms`; follows the caller's signal too. */
function stallWatch(ms: number, callerSignal: AbortSignal | undefined) {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort(new Error("stalled"));
    }, ms);
  };
  return {
    ms,
    signal: controller.signal,
    arm,
    /** Stops watching while this process, not the server, is busy (hashing the resumed part). */
    pause: () => clearTimeout(timer),
    stalled: () => stalled,
    stop() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

async function download(
  url: string,
  part: string,
  options: PullModelOptions,
): Promise<{ sizeBytes: number; hash: Hash; resumedFromBytes: number }> {
  const watch = stallWatch(options.stallTimeoutMs ?? defaultStallTimeoutMs, options.signal);
  try {
    return await downloadOnce(url, part, options, watch);
  } finally {
    watch.stop();
  }
}

async function downloadOnce(
  url: string,
  part: string,
  options: PullModelOptions,
  watch: ReturnType<typeof stallWatch>,
): Promise<{ sizeBytes: number; hash: Hash; resumedFromBytes: number }> {
  let offset = (await stat(part).catch(() => undefined))?.size ?? 0;
  const stalledError = (received: number) =>
    new ModelError(
      "download",
      `The download from ${url} stalled: no data for ${watch.ms} ms after ${received} bytes; run the same pull again to resume`,
      { url },
    );
  let response: Response;
  watch.arm();
  try {
    response = await fetch(url, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal: watch.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (watch.stalled()) throw stalledError(offset);
    throw new ModelError("download", `Could not connect to ${url}: ${messageOf(error)}`, {
      url,
      cause: error,
    });
  }
  const contentRange = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
  if (response.status === 416 && offset > 0) {
    // The part may already hold the whole file; otherwise it is stale: start over.
    const total = Number(/\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1] ?? Number.NaN);
    await response.body?.cancel();
    watch.pause();
    if (total === offset)
      return {
        sizeBytes: offset,
        hash: await hashFile(part, createHash("sha256")),
        resumedFromBytes: offset,
      };
    await rm(part, { force: true });
    return downloadOnce(url, part, options, watch);
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new ModelError(
      "download",
      `Downloading ${url} failed: HTTP ${response.status} ${response.statusText}`,
      {
        url,
        status: response.status,
      },
    );
  }
  const resumed =
    response.status === 206 && offset > 0 && contentRange !== null && Number(contentRange[1]) === offset;
  if (response.status === 206 && !resumed) {
    // Part of the file, but not from where the .part ends: writing it would corrupt the file.
    await response.body?.cancel();
    if (offset === 0) {
      throw new ModelError(
        "download",
        `Downloading ${url} failed: the server sent part of the file (HTTP 206) to a request for all of it`,
        { url },
      );
    }
    await rm(part, { force: true });
    return downloadOnce(url, part, options, watch);
  }
  if (!resumed) offset = 0;
  const hash = createHash("sha256");
  if (resumed) {
    watch.pause();
    await hashFile(part, hash);
    watch.arm();
  }
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  const totalBytes = Number.isFinite(length) ? offset + length : undefined;
  const handle = await open(part, resumed ? "a" : "w");
  let received = offset;
  try {
    if (response.body !== null) {
      // Node's web ReadableStream is async-iterable; the DOM typings do not say so.
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        watch.arm();
        hash.update(chunk);
        await handle.write(chunk);
        received += chunk.byteLength;
        options.onProgress?.({ receivedBytes: received, totalBytes, resumedFromBytes: offset });
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (watch.stalled()) throw stalledError(received);
    throw new ModelError(
      "download",
      `The download from ${url} broke off after ${received} bytes (${messageOf(error)}); run the same pull again to resume`,
      { url, cause: error },
    );
  } finally {
    await handle.close();
  }
  if (totalBytes !== undefined && received !== totalBytes) {
    throw new ModelError(
      "download",
      `The download from ${url} ended after ${received} of ${totalBytes} bytes; run the same pull again to resume`,
      { url },
    );
  }
  return { sizeBytes: received, hash, resumedFromBytes: offset };
}

async function hashFile(file: string, hash: Hash): Promise<Hash> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash;
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${base}: ${cause.message}` : base;
}
