import { chunkEventsIterable } from "../../chunking/chunkEvents.js";
import { smoothEventsIterable } from "../../chunking/smoothEvents.js";
import { streamChat } from "../../client/streamChat.js";
import type { StreamEvent } from "../../types/events.js";
import type { ChatMessage, FinishInfo, StreamChatOptions } from "../../types/options.js";
import type { ChatBackend } from "./chooseBackend.js";
import type { ChatSettings } from "./resolveChatOptions.js";

/** What one request needs besides the settings. */
export interface OpenChatEventsOptions {
  backend: ChatBackend;
  settings: ChatSettings;
  messages: ChatMessage[];
  signal: AbortSignal;
  /** Paced typing happens only on a terminal. */
  stdoutIsTTY: boolean;
  onFinish?: (info: FinishInfo) => void;
  /** The engine loaded the model and built the prompt (before the first token). */
  onEnginePrepared?: (info: { plainCompletion: boolean; modelFile: string }) => void;
}

/**
 * Starts one request on the chosen backend and returns its events, re-cut by `--chunk` and paced by
 * `--smooth` (terminal text output only). Aborting `signal` ends the events with a `done` whose
 * finishReason is `aborted`.
 */
export function openChatEvents(options: OpenChatEventsOptions): AsyncIterable<StreamEvent> {
  const { backend, settings } = options;
  let events: AsyncIterable<StreamEvent> =
    backend.kind === "engine"
      ? backend.engine.streamEngineChat({
          modelFile: backend.modelFile,
          messages: options.messages,
          signal: options.signal,
          timeouts: settings.timeouts,
          ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
          ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
          ...(settings.seed === undefined ? {} : { seed: settings.seed }),
          ...(settings.threads === undefined ? {} : { threads: settings.threads }),
          ...(settings.thinkTags === undefined ? {} : { thinkTags: settings.thinkTags }),
          ...(options.onFinish === undefined ? {} : { onFinish: options.onFinish }),
          ...(options.onEnginePrepared === undefined
            ? {}
            : {
                onPrepared: (info: { plainCompletion: boolean; engine: { file: string } }) =>
                  options.onEnginePrepared?.({
                    plainCompletion: info.plainCompletion,
                    modelFile: info.engine.file,
                  }),
              }),
        })
      : streamChat(toStreamChatOptions(options));
  if (settings.chunk !== "token") events = chunkEventsIterable(events, { by: settings.chunk });
  if (settings.smooth) {
    events = smoothEventsIterable(events, { enabled: options.stdoutIsTTY && !settings.json });
  }
  return events;
}

/** The HTTP request options for one turn. */
export function toStreamChatOptions(options: OpenChatEventsOptions): StreamChatOptions {
  const { settings } = options;
  const request: StreamChatOptions = {
    baseURL: settings.baseURL,
    protocol: settings.protocol,
    model: settings.model,
    messages: options.messages,
    signal: options.signal,
    timeouts: settings.timeouts,
    stream: settings.stream,
  };
  if (settings.apiKey !== undefined) request.apiKey = settings.apiKey;
  if (settings.temperature !== undefined) request.temperature = settings.temperature;
  if (settings.maxTokens !== undefined) request.maxTokens = settings.maxTokens;
  if (settings.seed !== undefined) request.seed = settings.seed;
  if (settings.retries !== undefined) request.retry = settings.retries;
  if (settings.thinkTags !== undefined) request.thinkTags = settings.thinkTags;
  if (options.onFinish !== undefined) request.onFinish = options.onFinish;
  return request;
}
