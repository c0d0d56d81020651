import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { ollamaFinal, ollamaLine } from "./ollamaFrames.js";
import { readChatRequest } from "./readChatRequest.js";
import type { Scenario, ScenarioContext, ScenarioResponse } from "./Scenario.js";
import { jsonResponse, onlyFor } from "./scenarioHelpers.js";

const THINKING_TOKENS = ["The", " user", " wants", " a", " greeting", "."];
const NDJSON = { "content-type": "application/x-ndjson" };
const TOOL_CALLS = [
  { function: { name: "get_weather", arguments: { city: "Paris" } } },
  { function: { name: "get_time", arguments: { timezone: "Europe/Paris" } } },
];

/** `message.thinking` deltas first, then `message.content`, like Ollama with `think: true`. */
function thinking(context: ScenarioContext): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: true });
  const evalCount = THINKING_TOKENS.length + MOCK_ANSWER_TOKENS.length;
  if (!info.stream) {
    const message = { thinking: THINKING_TOKENS.join(""), content: MOCK_ANSWER_TOKENS.join("") };
    return jsonResponse(200, ollamaFinal(info, { evalCount, message }));
  }
  const lines = [
    ...THINKING_TOKENS.map((thinking) => ollamaLine(info, { thinking })),
    ...MOCK_ANSWER_TOKENS.map((content) => ollamaLine(info, { content })),
    `${JSON.stringify(ollamaFinal(info, { evalCount }))}\n`,
  ];
  return { headers: NDJSON, steps: lines.map((write) => ({ write })) };
}

/** Ollama sends tool calls whole (arguments as an object, no ids, no fragments). */
function tools(context: ScenarioContext): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: true });
  if (!info.stream) {
    return jsonResponse(
      200,
      ollamaFinal(info, { evalCount: 12, message: { content: "", tool_calls: TOOL_CALLS } }),
    );
  }
  return {
    headers: NDJSON,
    steps: [
      { write: ollamaLine(info, { content: "", tool_calls: TOOL_CALLS }) },
      { write: `${JSON.stringify(ollamaFinal(info, { evalCount: 12 }))}\n` },
    ],
  };
}

/** Scenarios that exist only on Ollama's native `/api/chat`. */
export const ollamaScenarios: Record<string, Scenario> = {
  "ollama-thinking": onlyFor("ollama", "ollama-thinking", thinking),
  "ollama-tools": onlyFor("ollama", "ollama-tools", tools),
};
