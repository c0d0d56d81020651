import type { EngineChatOptions } from "@llmstream/engine";
import type { ChatMessage, FinishInfo, StreamChatOptions, StreamEvent } from "llmstream";
import { streamChat } from "llmstream";
import { chunkEventsIterable, smoothEventsIterable } from "llmstream/chunking";
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
      ? backend.engine.streamEngineChat(toEngineChatOptions(options, backend.modelFile))
      : streamChat(toStreamChatOptions(options));
  if (settings.chunk !== "token") events = chunkEventsIterable(events, { by: settings.chunk });
  if (settings.smooth) {
    events = smoothEventsIterable(events, { enabled: options.stdoutIsTTY && !settings.json });
  }
  return events;
}

/** What both backends take from the settings, mapped once so that the engine and HTTP paths cannot drift. */
type SharedChatOptions = Pick<
  EngineChatOptions & StreamChatOptions,
  "messages" | "signal" | "timeouts" | "maxTokens" | "temperature" | "seed" | "thinkTags" | "onFinish"
>;

/** The options of one turn that mean the same on the engine and over HTTP. */
export function toSharedChatOptions(options: OpenChatEventsOptions): SharedChatOptions {
  const { settings } = options;
  const shared: SharedChatOptions = {
    messages: options.messages,
    signal: options.signal,
    timeouts: settings.timeouts,
  };
  if (settings.maxTokens !== undefined) shared.maxTokens = settings.maxTokens;
  if (settings.temperature !== undefined) shared.temperature = settings.temperature;
  if (settings.seed !== undefined) shared.seed = settings.seed;
  if (settings.thinkTags !== undefined) shared.thinkTags = settings.thinkTags;
  if (options.onFinish !== undefined) shared.onFinish = options.onFinish;
  return shared;
}

/** The embedded engine's options for one turn: the shared ones, the model file and the thread count. */
export function toEngineChatOptions(options: OpenChatEventsOptions, modelFile: string): EngineChatOptions {
  const request: EngineChatOptions = { ...toSharedChatOptions(options), modelFile };
  if (options.settings.threads !== undefined) request.threads = options.settings.threads;
  const onEnginePrepared = options.onEnginePrepared;
  if (onEnginePrepared !== undefined) {
    request.onPrepared = (info) =>
      onEnginePrepared({ plainCompletion: info.plainCompletion, modelFile: info.engine.file });
  }
  return request;
}

/** The HTTP request options for one turn: the shared ones, and where and how to send them. */
export function toStreamChatOptions(options: OpenChatEventsOptions): StreamChatOptions {
  const { settings } = options;
  const request: StreamChatOptions = {
    ...toSharedChatOptions(options),
    baseURL: settings.baseURL,
    protocol: settings.protocol,
    model: settings.model,
    stream: settings.stream,
  };
  if (settings.apiKey !== undefined) request.apiKey = settings.apiKey;
  if (settings.retries !== undefined) request.retry = settings.retries;
  return request;
}
