import type { ChatMessage, DeltaSource } from "llmstream";
import { ModelError } from "llmstream";
import type { Token } from "node-llama-cpp";
import { buildEnginePrompt } from "./buildEnginePrompt.js";
import { acquireContext, defaultEngineThreads, type EngineModel, loadEngineModel } from "./engineRuntime.js";
import { StopSequenceFilter } from "./StopSequenceFilter.js";

/** Generation settings of the embedded engine. */
export interface EngineGenerationOptions {
  /** Path of the GGUF model file. */
  modelFile: string;
  messages: ChatMessage[];
  /**
   * Most tokens to generate. Tiny base models such as stories260K never emit an end token, so there
   * is always a limit. @defaultValue 256
   */
  maxTokens?: number;
  /** 0 picks the most likely token every time (reproducible). @defaultValue 0.8 (llama.cpp's default) */
  temperature?: number;
  /** Sampling seed: the same seed, prompt and settings give the same output. @defaultValue random */
  seed?: number;
  /** Nucleus sampling threshold. @defaultValue 0.95 (node-llama-cpp's default; top-k 40 also applies) */
  topP?: number;
  /** Stop sequences; the text ends right before the first one and it is not emitted. */
  stop?: string | string[];
  /** CPU threads. @defaultValue 1 for models under 100M parameters, else every core */
  threads?: number;
  /** Context window in tokens (prompt + answer). @defaultValue the model's training context, at most 4096 */
  contextSize?: number;
  /** Released contexts kept for reuse; a server with N parallel slots keeps N. @defaultValue 1 */
  idleContexts?: number;
}

/** What the source learned once the model was loaded and the prompt built. */
export interface EnginePreparedInfo {
  engine: EngineModel;
  promptTokens: number;
  /** True when the model has no chat template and the prompt ran as plain text completion. */
  plainCompletion: boolean;
  threads: number;
  contextSize: number;
}

/** The default `maxTokens` of the engine. */
export const defaultEngineMaxTokens = 256;
/** The default sampling temperature of the engine (llama.cpp's). */
export const defaultEngineTemperature = 0.8;
/** Largest default context: bigger ones cost memory that short chats never use. */
const maxDefaultContextSize = 4096;
/** Tokens whose text ends in an incomplete UTF-8 character are held back this many at most. */
const maxPendingTokens = 8;
/** Tokens kept as detokenizer context so SentencePiece leading spaces come out right. */
const recentTokenCount = 8;

/**
 * A `DeltaSource` that runs the model in-process: loads it (once per process), builds the prompt,
 * and pushes each generated token into the sink as one chunk, yielding after each so the consumer
 * sees tokens as they are made; the next token is decoded while the consumer handles the current
 * one. Counts come from the model's own tokenizer (`source: "engine"`):
 * `promptTokens` is the evaluated prompt (reported as soon as the prompt is built, so an aborted or
 * timed-out request keeps exact counts too), `completionTokens` every emitted token (a final
 * end-of-generation token and a token decoded ahead but dropped by an abort or a stop are not
 * counted). An abort stops generation within one token.
 */
export function createEngineDeltaSource(
  options: EngineGenerationOptions,
  onPrepared?: (info: EnginePreparedInfo) => void,
): DeltaSource {
  return async function* engineSource({ sink, signal, onResponse }) {
    const engine = await untilAborted(loadEngineModel(options.modelFile), signal);
    const prompt = await buildEnginePrompt(engine, options.messages).catch((error: unknown) => {
      throw new ModelError(
        "generation-failed",
        `Could not build the prompt for model file ${engine.file} (its chat template failed?): ${error instanceof Error ? error.message : String(error)}`,
        { file: engine.file, cause: error },
      );
    });
    const { model, info } = engine;
    const contextSize =
      options.contextSize ?? Math.min(info.contextLength ?? maxDefaultContextSize, maxDefaultContextSize);
    if (prompt.tokens.length >= contextSize) {
      throw new ModelError(
        "prompt-too-long",
        `The prompt has ${prompt.tokens.length} tokens but the context holds ${contextSize}: shorten it or raise contextSize`,
        { file: engine.file },
      );
    }
    const threads = options.threads ?? defaultEngineThreads(info.parameterCount);
    // Not raced with the signal: creating a context takes milliseconds and a raced one would leak.
    const lease = await acquireContext(engine, {
      contextSize,
      threads,
      ...(options.idleContexts === undefined ? {} : { keepIdle: options.idleContexts }),
    });
    try {
      onPrepared?.({
        engine,
        promptTokens: prompt.tokens.length,
        plainCompletion: prompt.plainCompletion,
        threads,
        contextSize,
      });
      signal.throwIfAborted();
      onResponse();
      sink.meta(modelNameOfFile(engine.file));
      // Said now, not only at the end: an aborted or timed-out request then still carries the
      // tokenizer's exact prompt count (and the emitted tokens' count) instead of an estimate.
      sink.usage({ promptTokens: prompt.tokens.length }, "engine");
      if (prompt.plainCompletion) sink.warning(plainCompletionWarning(modelNameOfFile(engine.file)));
      const maxTokens = options.maxTokens ?? defaultEngineMaxTokens;
      const stops = typeof options.stop === "string" ? [options.stop] : (options.stop ?? []);
      const filter = new StopSequenceFilter([...stops, ...prompt.stopStrings]);
      const recent: Token[] = prompt.tokens.slice(-recentTokenCount);
      const pending: Token[] = [];
      let uncountedTokens = 0;
      let generated = 0;
      let finishReason: "stop" | "length" = "length";
      const evaluation = lease.sequence.evaluate(prompt.tokens, {
        temperature: options.temperature ?? defaultEngineTemperature,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.topP === undefined ? {} : { topP: options.topP }),
        yieldEogToken: true,
      });
      const tokens = evaluation[Symbol.asyncIterator]();
      let next = nextToken(tokens, engine.file, signal);
      try {
        for (;;) {
          const step = await next;
          if (step.done === true) break;
          const token = step.value;
          if (signal.aborted) break;
          if (model.isEogToken(token) || prompt.stopTokens.has(token)) {
            finishReason = "stop";
            break;
          }
          generated++;
          uncountedTokens++;
          pending.push(token);
          const text = model.detokenize(pending, false, recent);
          // A token may end inside a multi-byte character; wait for the rest (bounded).
          const incomplete = text.endsWith("\uFFFD") && pending.length < maxPendingTokens;
          if (!incomplete) {
            for (const done of pending) recent.push(done);
            if (recent.length > recentTokenCount * 4) recent.splice(0, recent.length - recentTokenCount);
            pending.length = 0;
            const output = filter.push(text);
            if (output.text !== "") {
              sink.chunk();
              sink.text(output.text, uncountedTokens);
              uncountedTokens = 0;
            }
            if (output.stopped) {
              finishReason = "stop";
              break;
            }
          }
          if (generated >= maxTokens || lease.sequence.nextTokenIndex >= contextSize - 1) break;
          // Ask for the next token before handing this one out: llama.cpp decodes on a worker thread
          // while the consumer handles the event, so per-event work does not slow generation. After
          // an abort that token is dropped unseen, so the abort still lands within one token.
          next = nextToken(tokens, engine.file, signal);
          next.catch(() => {});
          yield;
          if (signal.aborted) break;
        }
      } finally {
        // Ends llama.cpp's generation loop (after a token still being decoded) and frees the sequence.
        await next.catch(() => undefined);
        await tokens.return?.();
      }
      if (signal.aborted) throw signal.reason;
      const rest =
        (pending.length > 0 ? filter.push(model.detokenize(pending, false, recent)).text : "") +
        filter.flush();
      if (rest !== "") {
        sink.chunk();
        sink.text(rest, uncountedTokens);
      }
      sink.usage(
        {
          promptTokens: prompt.tokens.length,
          completionTokens: generated,
          totalTokens: prompt.tokens.length + generated,
        },
        "engine",
      );
      sink.finish(finishReason);
      sink.end();
      yield;
    } finally {
      await lease.release();
    }
  };
}

/** The warning a result carries when a base model ran as plain completion (the CLI prints it once). */
export function plainCompletionWarning(model: string): string {
  return `Model ${model} has no chat template; ran as plain text completion of the prompt`;
}

/**
 * The model's name for results and logs: the file name without `.gguf`. `general.name` is not used
 * because converters often leave it generic (stories260K says `llama`).
 */
export function modelNameOfFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.gguf$/i, "");
}

/** The next sampled token; a llama.cpp failure becomes a `ModelError` naming the file. */
async function nextToken(
  tokens: AsyncIterator<Token>,
  file: string,
  signal: AbortSignal,
): Promise<IteratorResult<Token>> {
  try {
    return await tokens.next();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ModelError(
      "generation-failed",
      `llama.cpp failed while generating with model file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { file, cause: error },
    );
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
