import type { ChatResult, StreamEvent } from "llmstream";
import type { GenerationRequest } from "./GenerationRequest.js";

/** What a backend gets with each generation. */
export interface GenerationHooks {
  /** The client went away (or the server shuts down): stop generating at once. */
  signal: AbortSignal;
  /**
   * Each event the moment it is decoded, in order: text, reasoning, tool calls, usage, done. Error
   * events are never passed: a failure is the outcome's `error`, so the server can still answer it
   * with an HTTP status when nothing was sent yet.
   */
  onEvent(event: StreamEvent): void;
}

/** How one generation ended. */
export interface GenerationOutcome {
  /** The result; the partial one on error or abort. */
  result: ChatResult | undefined;
  /** An `LlmstreamError` from the core, or an `ApiError`. */
  error?: unknown;
  /** The upstream that served it (relay mode). */
  upstream?: string;
}

/** One entry of `/v1/models`. */
export interface ModelEntry {
  id: string;
  ownedBy: string;
}

/** Where answers come from: the embedded engine or upstream servers. */
export interface Backend {
  readonly kind: "engine" | "relay";
  /** The model name the response carries for a request that asked for `requested`. */
  modelName(requested: string): string;
  /**
   * Runs one generation. Rejects only with an {@link ApiError} when it cannot start (unknown model,
   * queue full); every later failure is the outcome's `error`.
   */
  generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationOutcome>;
  models(): Promise<ModelEntry[]>;
  /** A JSON-safe snapshot for `/health` (slots, queue, upstreams and their in-flight counts). */
  health(): Record<string, unknown>;
  /** Requests waiting for a slot (engine) — 0 for the relay. */
  queueDepth(): number;
  /** In-flight requests per upstream name (relay) or per engine slot group. */
  inFlight(): Record<string, number>;
  close(): Promise<void>;
}
