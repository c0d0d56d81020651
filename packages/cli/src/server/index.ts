/**
 * `llmstream serve`: the OpenAI-compatible server (embedded engine or relay) as a web-standard app
 * plus its node:http adapter. Internal to the CLI for now; encoders and guards are exported for tests.
 */
export { ApiError, errorResponse, isApiError } from "./ApiError.js";
export type { Backend, GenerationHooks, GenerationOutcome, ModelEntry } from "./Backend.js";
export { completeBody } from "./completeBody.js";
export { createChatChunkEncoder } from "./createChatChunkEncoder.js";
export { createCompletionChunkEncoder } from "./createCompletionChunkEncoder.js";
export { createEngineBackend, type EngineBackendOptions } from "./createEngineBackend.js";
export { createRelayBackend, type RelayBackendOptions } from "./createRelayBackend.js";
export { createResponsesEncoder } from "./createResponsesEncoder.js";
export {
  createServeApp,
  type RequestEndInfo,
  type ServeApp,
  type ServeAppOptions,
} from "./createServeApp.js";
export { createServeMetrics, type ServeMetrics } from "./createServeMetrics.js";
export type { Endpoint, GenerationRequest } from "./GenerationRequest.js";
export { parseGenerationRequest } from "./parseGenerationRequest.js";
export { parseUpstream, type UpstreamConfig } from "./parseUpstream.js";
export { corsHeaders, createBearerCheck, isAllowedHost } from "./requestGuards.js";
export type { EncoderContext, StreamEncoder } from "./StreamEncoder.js";
export { type NodeServer, type ServeNodeOptions, serveNode } from "./serveNode.js";
export { type TimeoutSettingNames, toApiError } from "./toApiError.js";
