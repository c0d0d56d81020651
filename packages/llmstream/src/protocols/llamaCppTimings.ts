import type { ServerTimings } from "../types/result.js";
import { isRecord } from "../utils/isRecord.js";

/** llama.cpp's `timings` object as it sends it (chat chunks and Responses `response.completed`). */
export interface WireTimings {
  prompt_n?: number;
  prompt_ms?: number;
  prompt_per_second?: number;
  predicted_n?: number;
  predicted_ms?: number;
  predicted_per_second?: number;
  cache_n?: number;
}

/** llama.cpp's `timings` object ({@link WireTimings}), normalised; fields of another type are left out. */
export function llamaCppTimings(t: unknown): ServerTimings {
  const out: ServerTimings = {};
  if (!isRecord(t)) return out;
  if (typeof t.prompt_n === "number") out.promptTokens = t.prompt_n;
  if (typeof t.prompt_ms === "number") out.promptMs = t.prompt_ms;
  if (typeof t.prompt_per_second === "number") out.promptTokensPerSecond = t.prompt_per_second;
  if (typeof t.predicted_n === "number") out.completionTokens = t.predicted_n;
  if (typeof t.predicted_ms === "number") out.completionMs = t.predicted_ms;
  if (typeof t.predicted_per_second === "number") out.completionTokensPerSecond = t.predicted_per_second;
  if (typeof t.cache_n === "number") out.cachedTokens = t.cache_n;
  if (out.promptMs !== undefined && out.completionMs !== undefined)
    out.totalMs = out.promptMs + out.completionMs;
  return out;
}
