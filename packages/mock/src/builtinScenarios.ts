import { faultScenarios } from "./faultScenarios.js";
import { framingScenarios } from "./framingScenarios.js";
import { loadScenarios } from "./loadScenarios.js";
import { ollamaScenarios } from "./ollamaScenarios.js";
import { openAiScenarios } from "./openAiScenarios.js";
import { pageScenarios } from "./pageScenarios.js";
import { withResponses } from "./responsesScenarios.js";
import type { Scenario } from "./Scenario.js";
import { scheduleScenarios } from "./scheduleScenarios.js";
import { tokenStream } from "./tokenStream.js";

/**
 * The named scenarios every mock server knows, documented in packages/mock/README.md. `ok` is the
 * default: the fixed multi-byte answer with obfuscation fields and `: ping` comments in between.
 * On `/v1/responses` the same names answer in Responses events (see responsesScenarios.ts).
 */
export const builtinScenarios: Readonly<Record<string, Scenario>> & { ok: Scenario } = {
  ok: (context) => tokenStream(context, { obfuscation: true, pingEvery: 4 }),
  ...withResponses({
    ...framingScenarios,
    ...openAiScenarios,
    ...faultScenarios,
    ...loadScenarios,
    ...ollamaScenarios,
  }),
  ...pageScenarios,
  ...scheduleScenarios,
};
