import type { Timeouts } from "llmstream";
import type { Send } from "./runLevel.js";

/** Options of {@link createEngineSender}. */
export interface EngineSenderOptions {
  modelFile: string;
  maxTokens?: number;
  temperature?: number;
  threads?: number;
  timeouts?: Timeouts;
}

/**
 * A sender for the embedded llama.cpp engine, in process (`streamEngineChat`): the same events and
 * records as over HTTP, with token counts from the engine's tokenizer. The engine module is loaded
 * only here, so `bench` against a server never loads node-llama-cpp.
 */
export async function createEngineSender(options: EngineSenderOptions): Promise<Send> {
  const { streamEngineChat } = await import("@llmstream/engine");
  return ({ prompt, signal }) => {
    const maxTokens = prompt.maxTokens ?? options.maxTokens;
    return {
      stream: streamEngineChat({
        modelFile: options.modelFile,
        messages: prompt.messages,
        signal,
        ...(maxTokens === undefined ? {} : { maxTokens }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      }),
    };
  };
}
