import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ModelError } from "llmstream";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { type GgufModelInfo, readGgufMetadata } from "./readGgufMetadata.js";

/** A loaded model, shared by every request on the same file in this process. */
export interface EngineModel {
  file: string;
  info: GgufModelInfo;
  /**
   * @internal node-llama-cpp's own object. Left out of the published types: node-llama-cpp's
   * declarations do not compile in a strict project without `skipLibCheck`.
   */
  model: LlamaModel;
}

/**
 * A context sequence borrowed for one request. `release()` clears it and keeps it for the next one.
 * @internal
 */
export interface ContextLease {
  context: LlamaContext;
  sequence: LlamaContextSequence;
  threads: number;
  release(): Promise<void>;
}

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Below this many parameters one thread is fastest (measured: stories260K, see `defaultEngineThreads`). */
export const smallModelParameters = 100_000_000;

/** The last llama.cpp error log lines (bounded), quoted in load errors. */
const recentLogLines: string[] = [];
const maxLogLines = 5;

let moduleLoading: Promise<NodeLlamaCpp> | undefined;
let llamaLoading: Promise<Llama> | undefined;
const models = new Map<string, Promise<EngineModel>>();
/**
 * One idle context (with its single sequence, history cleared) per model/size/threads, so the next
 * request skips creating them (~30 ms here). Keeping the sequence, rather than disposing it and asking
 * for a new one, measured faster to first token.
 */
const idleContexts = new Map<string, { context: LlamaContext; sequence: LlamaContextSequence }[]>();
/**
 * Backends on which a model load failed. node-llama-cpp 3.21.1 builds the model object before
 * llama.cpp loads the file, and that object holds a dispose-prevention handle on the backend that only
 * its own `dispose()` releases; once the failed object is garbage-collected, `Llama#dispose()` waits for
 * that handle forever (reproduced: a failed load, `gc()`, then dispose never settles).
 */
const backendsWithFailedLoads = new WeakSet<Llama>();

/** Imports node-llama-cpp on first use, so HTTP-only users never load the native addon. @internal */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  moduleLoading ??= import("node-llama-cpp").catch((error: unknown) => {
    moduleLoading = undefined;
    throw new ModelError(
      "load-failed",
      `The embedded engine could not load node-llama-cpp: ${messageOf(error)}. Reinstall dependencies (npm ci)`,
      { cause: error },
    );
  });
  return moduleLoading;
}

/**
 * Whether to ask node-llama-cpp for a GPU backend. `gpu: "auto"` probes CUDA/Vulkan/Metal binaries,
 * so it is used only where a GPU is plausible: macOS (Metal), Windows (cannot be checked cheaply),
 * and Linux with an NVIDIA, DRM or ROCm device node. `LLMSTREAM_ENGINE_GPU=off|auto` overrides.
 */
export function shouldUseGpu(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  const setting = env.LLMSTREAM_ENGINE_GPU?.toLowerCase();
  if (setting === "off" || setting === "false" || setting === "0") return false;
  if (setting === "auto" || setting === "on") return true;
  if (platform === "darwin" || platform === "win32") return true;
  return ["/dev/nvidiactl", "/dev/dri", "/dev/kfd"].some((path) => existsSync(path));
}

/**
 * The default thread count for a model. Tiny models need so little work per token that thread
 * synchronisation dominates: measured here (2 cores) stories260K ran ~600–870 tokens/s on 1 thread
 * and ~70–90 on 2. Larger models are compute-bound and use every core node-llama-cpp counts as a math
 * core. The 100M-parameter boundary is a conservative guess (no mid-sized model was measured).
 */
export function defaultEngineThreads(parameterCount: number, cores: number = availableParallelism()): number {
  if (parameterCount < smallModelParameters) return 1;
  return Math.max(1, cores);
}

function getLlamaInstance(): Promise<Llama> {
  llamaLoading ??= (async () => {
    const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
    try {
      // build: "never" fails fast instead of compiling llama.cpp for minutes when no binary fits.
      return await getLlama({
        build: "never",
        gpu: shouldUseGpu() ? "auto" : false,
        logLevel: LlamaLogLevel.error,
        // llama.cpp explains load failures only in its log: keep the last lines for the error message.
        logger: (level, message) => {
          if (level !== LlamaLogLevel.error && level !== LlamaLogLevel.fatal) return;
          recentLogLines.push(message.trim());
          if (recentLogLines.length > maxLogLines) recentLogLines.shift();
        },
      });
    } catch (error) {
      throw new ModelError(
        "load-failed",
        `The embedded engine found no usable llama.cpp binary for this machine: ${messageOf(error)}. Reinstall dependencies (npm ci), or use a server with streamChat`,
        { cause: error },
      );
    }
  })();
  llamaLoading.catch(() => {
    llamaLoading = undefined;
  });
  return llamaLoading;
}

/**
 * Validates the file (see `readGgufMetadata`) and loads it once per process; later calls with the
 * same path return the same model. A failed load is forgotten so the next call tries again.
 *
 * @throws {ModelError} for a bad file or a load failure, naming the file.
 */
export function loadEngineModel(file: string): Promise<EngineModel> {
  let loading = models.get(file);
  if (loading === undefined) {
    loading = (async () => {
      const info = await readGgufMetadata(file);
      const llama = await getLlamaInstance();
      recentLogLines.length = 0;
      try {
        const model = await llama.loadModel({ modelPath: file });
        return { file, info, model };
      } catch (error) {
        backendsWithFailedLoads.add(llama);
        // The log lines arrive asynchronously, just after the rejection.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const log = [...new Set(recentLogLines.filter((line) => line !== ""))].join("; ");
        const detail = log === "" ? messageOf(error) : `${messageOf(error)} (llama.cpp: ${log})`;
        throw new ModelError("load-failed", `llama.cpp could not load model file ${file}: ${detail}`, {
          file,
          cause: error,
        });
      }
    })();
    models.set(file, loading);
    loading.catch(() => models.delete(file));
  }
  return loading;
}

/**
 * Borrows a context sequence of `contextSize` tokens and `threads` threads, reusing an idle one.
 * `keepIdle` is how many released contexts of this shape are kept for reuse (a server running
 * `--parallel N` keeps N, so no request pays for creating one). @defaultValue 1
 * @internal
 */
export async function acquireContext(
  engine: EngineModel,
  options: { contextSize: number; threads: number; keepIdle?: number },
): Promise<ContextLease> {
  const key = `${engine.file}\0${options.contextSize}\0${options.threads}`;
  const keepIdle = Math.max(1, options.keepIdle ?? 1);
  const pool = idleContexts.get(key);
  const idle = pool?.pop();
  let context = idle?.context;
  let sequence = idle?.sequence;
  if (context === undefined || sequence === undefined || context.disposed || sequence.disposed) {
    try {
      context = await engine.model.createContext({
        contextSize: options.contextSize,
        threads: options.threads,
        sequences: 1,
      });
    } catch (error) {
      throw new ModelError(
        "load-failed",
        `Could not create a ${options.contextSize}-token context for model file ${engine.file}: ${messageOf(error)}. Try a smaller contextSize`,
        { file: engine.file, cause: error },
      );
    }
    sequence = context.getSequence();
  }
  const leased = context;
  const leasedSequence = sequence;
  let released = false;
  return {
    context: leased,
    sequence: leasedSequence,
    threads: options.threads,
    async release() {
      if (released) return;
      released = true;
      let idlePool = idleContexts.get(key);
      if (idlePool === undefined) {
        // Stored at once: concurrent releases must share one pool, or contexts would leak.
        idlePool = [];
        idleContexts.set(key, idlePool);
      }
      if (idlePool.length >= keepIdle || leased.disposed || leasedSequence.disposed) {
        await leased.dispose();
        return;
      }
      await leasedSequence.clearHistory();
      // Another release may have filled the pool while this one cleared its history.
      if (idlePool.length >= keepIdle) {
        await leased.dispose();
        return;
      }
      idlePool.push({ context: leased, sequence: leasedSequence });
    },
  };
}

/**
 * Frees every context, model and the llama.cpp backend this process loaded. Not needed for the process
 * to exit; useful in long-running processes and tests. The next request loads everything again.
 */
export async function disposeEngine(): Promise<void> {
  const contexts = [...idleContexts.values()].flat();
  idleContexts.clear();
  const loadedModels = [...models.values()];
  models.clear();
  const llama = llamaLoading;
  llamaLoading = undefined;
  await Promise.allSettled(contexts.map((idle) => idle.context.dispose()));
  for (const loading of loadedModels) {
    const loaded = await loading.catch(() => undefined);
    await loaded?.model.dispose();
  }
  const instance = await llama?.catch(() => undefined);
  if (instance === undefined) return;
  const disposing = instance.dispose();
  if (!backendsWithFailedLoads.has(instance)) return disposing;
  // Waiting could hang (see backendsWithFailedLoads). dispose() has already released every model and
  // context by the time it waits; only the backend itself stays until the process exits, which the
  // pending promise does not delay.
  disposing.catch(() => {});
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
