import { modelNameOfFile, streamEngineChat } from "@llmstream/engine";
import type { FinishInfo } from "llmstream";
import { AbortedError, isLlmstreamError, type LlmstreamError } from "llmstream";
import { ApiError } from "./ApiError.js";
import type { Backend, GenerationHooks, GenerationOutcome } from "./Backend.js";
import type { GenerationRequest } from "./GenerationRequest.js";

/** Options of {@link createEngineBackend}. */
export interface EngineBackendOptions {
  modelFile: string;
  /** Generations at once, each on its own context sequence. @defaultValue 2 */
  parallel?: number;
  /** Requests that may wait for a slot; more are answered 429. @defaultValue 16 */
  queue?: number;
  threads?: number;
  contextSize?: number;
  /** `Retry-After` of a 429, in seconds. @defaultValue 1 */
  retryAfterSeconds?: number;
  /** The request log hook, called once per generation. */
  onFinish?: (info: FinishInfo) => void;
}

/**
 * The embedded engine as a backend: `parallel` slots (one context sequence each), a bounded FIFO
 * queue in front of them, and 429 with `Retry-After` when the queue is full. A request that waits
 * and is aborted leaves the queue at once; an aborted generation stops within one token.
 */
export function createEngineBackend(options: EngineBackendOptions): Backend {
  const parallel = Math.max(1, options.parallel ?? 2);
  const maxQueue = Math.max(0, options.queue ?? 16);
  const model = modelNameOfFile(options.modelFile);
  const fileName = options.modelFile.split(/[\\/]/).pop() ?? options.modelFile;
  let active = 0;
  let served = 0;
  const waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  function acquire(signal: AbortSignal): Promise<void> {
    if (active < parallel) {
      active++;
      return Promise.resolve();
    }
    if (waiting.length >= maxQueue) {
      const seconds = options.retryAfterSeconds ?? 1;
      return Promise.reject(
        new ApiError(
          429,
          `The engine is busy: ${parallel} requests running and ${waiting.length} waiting; try again shortly`,
          {
            code: "queue_full",
            headers: { "retry-after": String(seconds) },
          },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const index = waiting.indexOf(entry);
        if (index >= 0) waiting.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiting.push(entry);
    });
  }

  function release(): void {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `active` never drops below the true count.
    if (next !== undefined) next.resolve();
    else active--;
  }

  return {
    kind: "engine",
    modelName: () => model,
    async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationOutcome> {
      if (request.model !== model && request.model !== fileName)
        throw new ApiError(
          404,
          `The model "${request.model}" does not exist here; this server runs "${model}"`,
          {
            param: "model",
            code: "model_not_found",
          },
        );
      const refused = unsupportedByEngine(request.extra);
      if (refused !== undefined) throw refused;
      try {
        await acquire(hooks.signal);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        return { result: undefined, error: asAborted(error) };
      }
      served++;
      try {
        const stream = streamEngineChat({
          modelFile: options.modelFile,
          messages: request.messages,
          idleContexts: parallel,
          signal: hooks.signal,
          ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
          ...(request.topP === undefined ? {} : { topP: request.topP }),
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          ...(request.stop === undefined ? {} : { stop: request.stop }),
          ...(options.threads === undefined ? {} : { threads: options.threads }),
          ...(options.contextSize === undefined ? {} : { contextSize: options.contextSize }),
          ...(options.onFinish === undefined ? {} : { onFinish: options.onFinish }),
        });
        const onEvent = hooks.onEvent;
        try {
          const result = await stream.forEach((event) => {
            if (event.type !== "error") onEvent(event);
          });
          return { result };
        } catch (error) {
          return { result: isLlmstreamError(error) ? error.partial : undefined, error };
        }
      } finally {
        release();
      }
    },
    models: async () => [{ id: model, ownedBy: "llmstream" }],
    health: () => ({
      mode: "engine",
      model,
      slots: parallel,
      active,
      queued: waiting.length,
      maxQueue,
      served,
    }),
    queueDepth: () => waiting.length,
    inFlight: () => ({ engine: active }),
    close: async () => {
      for (const entry of waiting.splice(0)) entry.reject(new AbortedError("The server is shutting down"));
    },
  };
}

/**
 * A 400 for what the engine cannot do and must not pretend to: calling tools and constraining the
 * answer to JSON. Ignoring them would hand an agent plain text where it waits for a tool call (llama.cpp
 * without templates and Ollama with a model without tools answer 400 too). Sampling hints the engine
 * does not use (penalties, `logit_bias`, `user`, `reasoning_effort`) only change how an answer reads,
 * so they are accepted and ignored.
 */
function unsupportedByEngine(extra: Record<string, unknown>): ApiError | undefined {
  const { tools, tool_choice: toolChoice, response_format: format } = extra;
  if (Array.isArray(tools) && tools.length > 0 && toolChoice !== "none")
    return new ApiError(
      400,
      'The embedded engine does not call tools: send the request without tools (or tool_choice: "none"), or relay it to a server that runs them',
      { param: "tools", code: "tools_unsupported" },
    );
  const formatType = (format as { type?: unknown } | undefined)?.type;
  if (format !== undefined && format !== null && formatType !== "text")
    return new ApiError(
      400,
      `The embedded engine cannot constrain the answer to ${typeof formatType === "string" ? formatType : "that format"}: send the request without response_format, or relay it to a server that supports it`,
      { param: "response_format", code: "response_format_unsupported" },
    );
  return undefined;
}

function asAborted(error: unknown): LlmstreamError {
  return isLlmstreamError(error)
    ? error
    : new AbortedError("The request was aborted while waiting for a slot", { cause: error });
}
