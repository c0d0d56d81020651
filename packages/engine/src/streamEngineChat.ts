import type { ChatStream, FinishInfo, ThinkTagMode, Timeouts } from "llmstream";
import { createChatStream } from "llmstream";
import {
  createEngineDeltaSource,
  type EngineGenerationOptions,
  type EnginePreparedInfo,
  modelNameOfFile,
} from "./createEngineDeltaSource.js";

/** Options of {@link streamEngineChat}: generation settings plus the stream's signal, timeouts and hook. */
export interface EngineChatOptions extends EngineGenerationOptions {
  signal?: AbortSignal;
  /** `firstTokenMs` includes loading the model on the first request of the process. */
  timeouts?: Timeouts;
  onFinish?: (info: FinishInfo) => void;
  /** Inline `<think>` handling, or `false` to leave content untouched. @defaultValue "auto" */
  thinkTags?: ThinkTagMode | false;
  /** Called once the model is loaded and the prompt built (thread count, context size, token count). */
  onPrepared?: (info: EnginePreparedInfo) => void;
}

/**
 * Streams a chat answer from a local GGUF model through llama.cpp, in-process: the same events,
 * result, usage (`source: "engine"`) and metrics as `streamChat`, with no server. The model loads on
 * the first request and stays loaded for the process. A model without a chat template completes the
 * last user message as plain text (system text first), and `result.warnings` says so.
 *
 * @example
 * ```ts
 * import { streamEngineChat } from "@llmstream/engine";
 * const stream = streamEngineChat({ modelFile: "stories260K.gguf", messages: [{ role: "user", content: "Once upon a time" }] });
 * for await (const text of stream.textStream) process.stdout.write(text);
 * ```
 */
export function streamEngineChat(options: EngineChatOptions): ChatStream {
  const model = modelNameOfFile(options.modelFile);
  return createChatStream({
    source: createEngineDeltaSource(options, options.onPrepared),
    request: { url: `engine:${options.modelFile}`, protocol: "engine", model, messages: options.messages },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    ...(options.onFinish === undefined ? {} : { onFinish: options.onFinish }),
    ...(options.thinkTags === undefined ? {} : { thinkTags: options.thinkTags }),
    // Engine failures (bad file, generation error) do not get better by trying again.
    retry: 0,
  });
}
