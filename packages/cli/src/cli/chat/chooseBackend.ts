import { isConnectionRefused } from "./isConnectionRefused.js";
import type { ChatSettings } from "./resolveChatOptions.js";

/** The engine module, loaded only when a chat actually runs on it. */
export type EngineModule = typeof import("@llmstream/engine");

/** What answers `chat`: an HTTP server, or the embedded engine with a model file. */
export type ChatBackend = { kind: "http" } | { kind: "engine"; modelFile: string; engine: EngineModule };

/**
 * Decides once per `chat` run what answers it:
 * - a model file (`--model-file`, or `LLMSTREAM_MODEL_FILE` with no server URL configured): the engine;
 * - a server URL that was configured (flag or environment): that server, never the engine;
 * - otherwise the default server, unless nothing listens there (connection refused) and a local
 *   model is found (models folder, development model); then the engine, and `note` says so once.
 */
export async function chooseBackend(
  settings: ChatSettings,
  options: {
    env: Record<string, string | undefined>;
    note: (line: string) => void;
    /** For tests: the development model file, or `false` for none. */
    developmentFallback?: string | false;
  },
): Promise<ChatBackend> {
  if (settings.modelFile !== undefined) {
    return { kind: "engine", modelFile: settings.modelFile, engine: await import("@llmstream/engine") };
  }
  if (settings.baseURLExplicit || !(await isConnectionRefused(settings.baseURL))) return { kind: "http" };
  const engine = await import("@llmstream/engine");
  const modelFile = await engine
    .resolveModelFile({
      env: options.env,
      ...(options.developmentFallback === undefined
        ? {}
        : { developmentFallback: options.developmentFallback }),
    })
    .catch(() => undefined);
  const noServer = `llmstream: no server at ${settings.baseURL} (connection refused)`;
  if (modelFile === undefined) {
    // The request below fails with the connection error; say why the engine did not step in.
    options.note(
      `${noServer} and no model for the embedded engine in ${engine.defaultModelsDir(options.env)}; start a server, or pass --model-file <file.gguf> (or put one there with \`llmstream pull <url>\`)`,
    );
    return { kind: "http" };
  }
  options.note(
    `${noServer}: the answer comes from the local model file ${modelFile}, run by the embedded engine (start a server or pass --base-url to use one)`,
  );
  return { kind: "engine", modelFile, engine };
}
