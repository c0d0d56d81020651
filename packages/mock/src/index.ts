// The mock server's public surface; frame builders and scenario tables stay internal.
export { builtinScenarios } from "./builtinScenarios.js";
export { createMockServer, type MockServer, type MockServerOptions } from "./createMockServer.js";
export type { MockRequestRecord } from "./MockRequestRecord.js";
export { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
export { runMockServer } from "./runMockServer.js";
export type { MockApi, Scenario, ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";
export type { StreamEnding } from "./StreamEnding.js";
export { type TokenStreamOptions, tokenStream } from "./tokenStream.js";
