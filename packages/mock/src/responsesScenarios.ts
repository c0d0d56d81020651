import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { responsesStream } from "./responsesStream.js";
import type { Scenario, ScenarioContext, ScenarioResponse } from "./Scenario.js";
import { onlyFor } from "./scenarioHelpers.js";

const FIRST_TOKENS = MOCK_ANSWER_TOKENS.slice(0, 5);
const REASONING_TOKENS = ["The", " user", " wants", " a", " greeting", "."];
const CALLS = [
  { name: "get_weather", arguments: ['{"city"', ': "Par', 'is"}'] },
  { name: "get_time", arguments: ['{"timezone":', ' "Europe/Paris"}'] },
];

type Build = (context: ScenarioContext) => ScenarioResponse;

/**
 * What the scenarios answer on `POST /v1/responses` where the chat answer does not carry over:
 * Responses items and terminal events. Every other scenario built on `tokenStream` (ok, truncated,
 * reset, stall, slow, slow-first-token, http-429, …) already speaks Responses on that route.
 */
export const responsesScenarios: Record<string, Build> = {
  reasoning: (context) => responsesStream(context, { reasoning: REASONING_TOKENS }),
  "tool-calls": (context) => responsesStream(context, { calls: CALLS }),
  incomplete: (context) => responsesStream(context, { tokens: FIRST_TOKENS, ending: "incomplete" }),
  failed: (context) => responsesStream(context, { tokens: FIRST_TOKENS, ending: "failed" }),
  "event-error": (context) => responsesStream(context, { tokens: FIRST_TOKENS, ending: "error" }),
  "error-object": (context) => responsesStream(context, { tokens: FIRST_TOKENS, ending: "error" }),
  "non-stream-json": (context) =>
    responsesStream({ ...context, request: { ...context.request, body: nonStreamBody(context) } }),
};

function nonStreamBody(context: ScenarioContext): unknown {
  const body = context.request.body;
  return typeof body === "object" && body !== null ? { ...body, stream: false } : { stream: false };
}

/**
 * Adds the Responses answers to the scenario table: a scenario that exists for the other APIs answers
 * in Responses events on that route, and a Responses-only one answers 400 on the other routes.
 */
export function withResponses(scenarios: Record<string, Scenario>): Record<string, Scenario> {
  const merged: Record<string, Scenario> = { ...scenarios };
  for (const [name, build] of Object.entries(responsesScenarios)) {
    const other = scenarios[name];
    merged[name] =
      other === undefined
        ? onlyFor("responses", name, build)
        : (context) =>
            context.api === "responses"
              ? build(context)
              : typeof other === "function"
                ? other(context)
                : other;
  }
  return merged;
}
