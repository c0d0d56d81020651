import type { ErrorCode, LlmstreamError } from "../errors/LlmstreamError.js";
import type { ChatResult, Usage } from "./result.js";

/** A piece of the answer text. */
export interface TextEvent {
  type: "text";
  text: string;
}

/** A piece of the model's reasoning ("thinking") text. */
export interface ReasoningEvent {
  type: "reasoning";
  text: string;
}

/** A tool call, emitted once, whole, when its arguments are complete. */
export interface ToolCallEvent {
  type: "tool_call";
  index: number;
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the server streamed them. */
  arguments: string;
}

/** Token usage, emitted once just before `done`. */
export interface UsageEvent {
  type: "usage";
  usage: Usage;
}

/** The last event of a successful (or aborted) stream: the whole result. */
export interface DoneEvent extends ChatResult {
  type: "done";
}

/** The last event of a failed stream. `error.partial` holds what arrived before the failure. */
export interface ErrorEvent {
  type: "error";
  code: ErrorCode;
  message: string;
  status?: number;
  error: LlmstreamError;
}

/** Every event a chat stream yields, discriminated by `type`. */
export type StreamEvent = TextEvent | ReasoningEvent | ToolCallEvent | UsageEvent | DoneEvent | ErrorEvent;
