// The benchmark's building blocks, for scripts that drive it without the CLI. Not a package subpath
// (yet): the CLI is the supported interface; these are the units it is made of.
export { type ArrivalOptions, type Arrivals, arrivalTimes } from "./arrivalTimes.js";
export type { BenchRecord, ChunkTokenSource, ErrorClass } from "./BenchRecord.js";
export { createEngineSender, type EngineSenderOptions } from "./createEngineSender.js";
export { type BenchProtocol, createHttpSender, type HttpSenderOptions } from "./createHttpSender.js";
export { apportionTokens, classifyError, createRequestRecorder } from "./createRequestRecorder.js";
export { DEFINITIONS } from "./definitions.js";
export { type Distribution, distribution } from "./distribution.js";
export { formatReport } from "./formatReport.js";
export { parseSlo } from "./parseSlo.js";
export { type BenchPrompt, parsePromptLines, syntheticPrompts } from "./prompts.js";
export { renderHtmlReport } from "./renderHtmlReport.js";
export { type BenchRun, type BenchTarget, runBench } from "./runBench.js";
export { type LevelPlan, type LevelResult, runLevel, type Send } from "./runLevel.js";
export { type ClientLoad, type LevelStats, type Slo, summarizeLevel } from "./summarizeLevel.js";
export { type RunInfo, toJsonReport } from "./toJsonReport.js";
