export { createFetchTransport } from "./client/fetchTransport.js";
export { DEFAULT_MAX_LINE_LENGTH, streamChat } from "./client/streamChat.js";
export { AbortedError } from "./errors/AbortedError.js";
export { ConnectionError } from "./errors/ConnectionError.js";
export { HttpError } from "./errors/HttpError.js";
export {
  type ErrorCode,
  isLlmstreamError,
  LlmstreamError,
  type LlmstreamErrorOptions,
} from "./errors/LlmstreamError.js";
export { isModelError, ModelError, type ModelErrorReason } from "./errors/ModelError.js";
export { ProtocolError, type ProtocolErrorReason } from "./errors/ProtocolError.js";
export { ServerError } from "./errors/ServerError.js";
export { TimeoutError, type TimeoutKind } from "./errors/TimeoutError.js";
export { TruncatedError } from "./errors/TruncatedError.js";
export type { DeltaSink, ToolCallFragment, UsageReport } from "./protocols/DeltaSink.js";
export { ChatStream } from "./stream/ChatStream.js";
export { type CreateChatStreamOptions, createChatStream } from "./stream/createChatStream.js";
export type { DeltaSource, DeltaSourceContext } from "./stream/DeltaSource.js";
export type { ThinkTagMode } from "./stream/ThinkTagSplitter.js";
export type {
  DoneEvent,
  ErrorEvent,
  ReasoningEvent,
  StreamEvent,
  TextEvent,
  ToolCallEvent,
  UsageEvent,
} from "./types/events.js";
export type { GapStats, StreamMetrics } from "./types/metrics.js";
export type {
  ChatMessage,
  FinishInfo,
  Protocol,
  RetryOptions,
  StreamChatOptions,
  Timeouts,
} from "./types/options.js";
export type {
  ChatResult,
  FinishReason,
  ServerTimings,
  ToolCall,
  Usage,
  UsageSource,
} from "./types/result.js";
export type { BodyPushAccess, Transport, TransportRequest, TransportResponse } from "./types/Transport.js";
