/**
 * The embedded llama.cpp engine, a separate entry point (`@llmstream/engine`, its own package) so that users of the
 * HTTP client never load node-llama-cpp. Internals (the GGUF parser, the context pool, the prompt
 * builder) are left out on purpose.
 */
export { isModelError, ModelError, type ModelErrorReason } from "llmstream";
export {
  createEngineDeltaSource,
  defaultEngineMaxTokens,
  defaultEngineTemperature,
  type EngineGenerationOptions,
  type EnginePreparedInfo,
  modelNameOfFile,
  plainCompletionWarning,
} from "./createEngineDeltaSource.js";
export {
  defaultEngineThreads,
  disposeEngine,
  type EngineModel,
  loadEngineModel,
  shouldUseGpu,
  smallModelParameters,
} from "./engineRuntime.js";
export { type ListModelsOptions, listModels, type ModelListing } from "./listModels.js";
export {
  type PullModelOptions,
  type PullModelResult,
  type PullProgress,
  pullModel,
  resolvePullUrl,
} from "./pullModel.js";
export { type GgufModelInfo, readGgufMetadata } from "./readGgufMetadata.js";
export {
  defaultModelsDir,
  developmentModelFile,
  findLocalModels,
  type LocalModelFile,
  type ResolveModelFileOptions,
  resolveModelFile,
} from "./resolveModelFile.js";
export { type EngineChatOptions, streamEngineChat } from "./streamEngineChat.js";
