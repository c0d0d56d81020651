import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { createOpenAiFrames, SSE_DONE, sseData } from "./openAiFrames.js";
import { readChatRequest } from "./readChatRequest.js";
import type { Scenario, ScenarioContext, Step } from "./Scenario.js";
import { deltaScript, jsonResponse, onlyFor, SSE_HEADERS } from "./scenarioHelpers.js";
import { tokenStream } from "./tokenStream.js";

const REASONING_TOKENS = ["The", " user", " wants", " a", " greeting", "."];
const contentDeltas = MOCK_ANSWER_TOKENS.map((content) => ({ content }));

/** llama.cpp's streaming answer: `timings` on the last chunk, usage only when asked for. */
function llamacpp(context: ScenarioContext) {
  const info = readChatRequest(context.request, { ollama: false });
  const frames = createOpenAiFrames(info, {
    id: `chatcmpl-mock-${context.request.index}`,
    flavor: "llamacpp",
  });
  const predicted = MOCK_ANSWER_TOKENS.length;
  const promptMs = info.promptTokens * 2;
  const predictedMs = predicted * 10;
  const timings = {
    cache_n: 0,
    prompt_n: info.promptTokens,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / info.promptTokens,
    prompt_per_second: (1000 * info.promptTokens) / promptMs,
    predicted_n: predicted,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / predicted,
    predicted_per_second: (1000 * predicted) / predictedMs,
  };
  const steps: Step[] = [{ write: sseData(frames.chunk({ role: "assistant", content: null })) }];
  for (const content of MOCK_ANSWER_TOKENS) steps.push({ write: sseData(frames.chunk({ content })) });
  const finishExtra = info.includeUsage ? {} : { timings };
  steps.push({ write: sseData(frames.chunk({}, { finishReason: "stop", extra: finishExtra })) });
  if (info.includeUsage) steps.push({ write: sseData(frames.usageChunk(predicted, { timings })) });
  steps.push({ write: SSE_DONE });
  return { headers: SSE_HEADERS, steps };
}

/** vLLM under load: several tokens per chunk, `stop_reason`, an empty-content finish chunk. */
function vllmMultiToken(context: ScenarioContext) {
  const info = readChatRequest(context.request, { ollama: false });
  const frames = createOpenAiFrames(info, { id: `chatcmpl-mock-${context.request.index}`, flavor: "vllm" });
  const steps: Step[] = [{ write: sseData(frames.chunk({ role: "assistant", content: "" })) }];
  for (let index = 0; index < MOCK_ANSWER_TOKENS.length; index += 3) {
    const content = MOCK_ANSWER_TOKENS.slice(index, index + 3).join("");
    steps.push({ write: sseData(frames.chunk({ content })) });
  }
  steps.push({ write: sseData(frames.chunk({ content: "" }, { finishReason: "stop" })) });
  if (info.includeUsage) steps.push({ write: sseData(frames.usageChunk(MOCK_ANSWER_TOKENS.length)) });
  steps.push({ write: SSE_DONE });
  return { headers: SSE_HEADERS, steps };
}

/** llama.cpp/OpenAI style: the first fragment carries id, type, name and `arguments: ""`. */
const TOOL_CALL_DELTAS = [
  {
    tool_calls: [
      { index: 0, id: "call_mock_0", type: "function", function: { name: "get_weather", arguments: "" } },
    ],
  },
  { tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] },
  { tool_calls: [{ index: 0, function: { arguments: ': "Par' } }] },
  { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] },
  {
    tool_calls: [
      { index: 1, id: "call_mock_1", type: "function", function: { name: "get_time", arguments: "" } },
    ],
  },
  { tool_calls: [{ index: 1, function: { arguments: '{"timezone":' } }] },
  { tool_calls: [{ index: 1, function: { arguments: ' "Europe/Paris"}' } }] },
];

/**
 * The other shapes seen in the wild: vLLM's first fragment has the name and no `arguments` key at
 * all, then argument diffs that may be empty strings; some servers (Ollama's /v1, several vLLM tool
 * parsers) send name and the complete arguments object in one fragment.
 */
const TOOL_CALL_OBJECT_START_DELTAS = [
  {
    tool_calls: [
      { id: "chatcmpl-tool-mock0", type: "function", index: 0, function: { name: "get_weather" } },
    ],
  },
  { tool_calls: [{ index: 0, function: { arguments: "" } }] },
  { tool_calls: [{ index: 0, function: { arguments: '{"city": "' } }] },
  { tool_calls: [{ index: 0, function: { arguments: 'Paris"}' } }] },
  {
    tool_calls: [
      {
        id: "chatcmpl-tool-mock1",
        type: "function",
        index: 1,
        function: { name: "get_time", arguments: '{"timezone": "Europe/Paris"}' },
      },
    ],
  },
];

/** Usage, timings, reasoning and tool-call dialects of OpenAI-compatible servers. */
export const openAiScenarios: Record<string, Scenario> = {
  llamacpp: onlyFor("openai", "llamacpp", llamacpp),
  "vllm-multi-token": onlyFor("openai", "vllm-multi-token", vllmMultiToken),
  "reject-stream-options": onlyFor("openai", "reject-stream-options", (context) =>
    readChatRequest(context.request, { ollama: false }).hasStreamOptions
      ? jsonResponse(400, {
          error: {
            message: "Unrecognized request argument supplied: stream_options",
            type: "invalid_request_error",
            param: null,
            code: null,
          },
        })
      : tokenStream(context, { noUsage: true }),
  ),
  "no-usage": (context) => tokenStream(context, { noUsage: true }),
  "reasoning-content": onlyFor("openai", "reasoning-content", (context) =>
    deltaScript(context, [
      ...REASONING_TOKENS.map((reasoning_content) => ({ reasoning_content })),
      ...contentDeltas,
    ]),
  ),
  reasoning: onlyFor("openai", "reasoning", (context) =>
    deltaScript(context, [...REASONING_TOKENS.map((reasoning) => ({ reasoning })), ...contentDeltas]),
  ),
  "think-tags": (context) =>
    tokenStream(context, {
      tokens: ["<th", "ink>", ...REASONING_TOKENS, "</", "think>", "\n\n", ...MOCK_ANSWER_TOKENS],
    }),
  "think-no-open": (context) =>
    tokenStream(context, { tokens: [...REASONING_TOKENS, "</think>", "\n\n", ...MOCK_ANSWER_TOKENS] }),
  "stray-close": (context) =>
    tokenStream(context, {
      tokens: [...MOCK_ANSWER_TOKENS.slice(0, 5), " </think>", ...MOCK_ANSWER_TOKENS.slice(5)],
    }),
  "tool-calls": onlyFor("openai", "tool-calls", (context) =>
    deltaScript(context, TOOL_CALL_DELTAS.slice(1), {
      roleDelta: { role: "assistant", content: null, ...TOOL_CALL_DELTAS[0] },
      finishReason: "tool_calls",
    }),
  ),
  "tool-calls-args-object-start": onlyFor("openai", "tool-calls-args-object-start", (context) =>
    deltaScript(context, TOOL_CALL_OBJECT_START_DELTAS, { finishReason: "tool_calls", flavor: "vllm" }),
  ),
};
