import { SSE_PING } from "./openAiFrames.js";
import { numericHeader, readChatRequest } from "./readChatRequest.js";
import type { Scenario, ScenarioContext, ScenarioResponse } from "./Scenario.js";
import { tokenStream } from "./tokenStream.js";

/** `scheduled` sends at most this many tokens. */
export const SCHEDULED_MAX_TOKENS = 100_000;

/**
 * A known schedule for checking a benchmark's accuracy: the role chunk at once, the first token
 * `x-mock-first-token-ms` (default 200) later (`: ping` comments every 50 ms meanwhile),
 * then one token every `x-mock-interval-ms` (default 10); N = `x-mock-chunks` ?? `max_tokens` ?? 20.
 * Each token's content is its send time on the `performance.timeOrigin + performance.now()` clock
 * (three decimals, then a space), so the truth is what the server actually did, timer drift included.
 */
function scheduled(context: ScenarioContext): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: context.api === "ollama" });
  const count = Math.min(
    Math.floor(numericHeader(context.request, "x-mock-chunks") ?? info.maxTokens ?? 20),
    SCHEDULED_MAX_TOKENS,
  );
  const stamp = () => `${(performance.timeOrigin + performance.now()).toFixed(3)} `;
  const response = tokenStream(context, {
    tokens: Array.from({ length: count }, () => stamp),
    intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 10,
  });
  const delayMs = numericHeader(context.request, "x-mock-first-token-ms") ?? 200;
  if (!info.stream || delayMs <= 0) return response;
  // After the role chunk (as real servers send it), so a client that took it for a token would show.
  const ollama = context.api === "ollama";
  const steps = [...response.steps];
  steps.splice(ollama ? 0 : 1, 0, {
    keepAlive: { everyMs: 50, write: ollama ? "" : SSE_PING, forMs: delayMs },
  });
  return { ...response, steps };
}

/** Scenarios with a known timing, for benchmark accuracy tests. */
export const scheduleScenarios: Record<string, Scenario> = { scheduled };
