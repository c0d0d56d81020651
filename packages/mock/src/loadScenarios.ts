import { ollamaFinal, ollamaLine } from "./ollamaFrames.js";
import { createOpenAiFrames, SSE_DONE, sseData } from "./openAiFrames.js";
import { numericHeader, readChatRequest } from "./readChatRequest.js";
import { responsesStream } from "./responsesStream.js";
import type { Scenario, ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";
import { responseBytes, SSE_HEADERS } from "./scenarioHelpers.js";
import { tokenStream } from "./tokenStream.js";

/** `flood` refuses more chunks than this, to bound the pre-built body (about 150 MB at the cap, for the 1M-chunk benchmark). */
export const FLOOD_MAX_CHUNKS = 1_000_000;
/**
 * The contents of `flood` chunks, in turn: mostly short ASCII words like real tokens, with some that
 * need JSON escapes or are multi-byte, so a client cannot profit from every chunk being identical.
 */
export const FLOOD_TOKENS: readonly string[] = [
  "The",
  " quick",
  " brown",
  " fox",
  " jumps",
  " over",
  " the",
  " lazy",
  " dog",
  ".",
  "\n",
  " «",
  "quoted",
  "»",
  " café",
  " 你好",
  " 🙂",
  " said",
  ' "hi"',
  "\\",
  " and",
  " left",
  ",",
  " then",
  " tab\t",
  " ran",
  " far",
  " away",
  " from",
  " home",
  "!",
  " End",
];

/** The ASCII-only tokens of {@link FLOOD_TOKENS}, sent with `x-mock-tokens: ascii`. */
export const FLOOD_ASCII_TOKENS: readonly string[] = FLOOD_TOKENS.filter((token) =>
  /^[\x00-\x7f]*$/.test(token),
);

/** The content of the `index`-th flood chunk (of the ASCII-only flood with `ascii`). */
export function floodToken(index: number, ascii = false): string {
  const tokens = ascii ? FLOOD_ASCII_TOKENS : FLOOD_TOKENS;
  return tokens[index % tokens.length] as string;
}

/** `count` consecutive tokens' worth of frames, built from one serialised cycle repeated. */
function repeatCycle(tokens: readonly string[], count: number, frame: (token: string) => string): string {
  const cycle = tokens.map(frame);
  const whole = cycle.join("").repeat(Math.floor(count / cycle.length));
  return whole + cycle.slice(0, count % cycle.length).join("");
}
const FLOOD_DEFAULT_CHUNKS = 1000;
const FLOOD_WRITE_BYTES = 256 * 1024;
/** Pre-built bodies kept per server process; the oldest is dropped beyond this. */
const FLOOD_CACHE_ENTRIES = 4;
const floodCache = new Map<string, Buffer>();

function chunkCount(context: ScenarioContext, fallback: number): number {
  const info = readChatRequest(context.request, { ollama: context.api === "ollama" });
  const requested = numericHeader(context.request, "x-mock-chunks") ?? info.maxTokens ?? fallback;
  return Math.min(Math.floor(requested), FLOOD_MAX_CHUNKS);
}

function floodBody(context: ScenarioContext, count: number): Buffer {
  const info = readChatRequest(context.request, { ollama: context.api === "ollama" });
  const ascii = context.request.headers["x-mock-tokens"] === "ascii";
  const tokens = ascii ? FLOOD_ASCII_TOKENS : FLOOD_TOKENS;
  const key = `${context.api}|${info.model}|${count}|${info.includeUsage}|${ascii}`;
  const cached = floodCache.get(key);
  if (cached !== undefined) return cached;
  const parts: string[] = [];
  if (context.api === "responses") {
    const all = Array.from({ length: count }, (_, index) => tokens[index % tokens.length] as string);
    parts.push(responseBytes(responsesStream(context, { tokens: all })).toString("utf8"));
  } else if (context.api === "ollama") {
    parts.push(repeatCycle(tokens, count, (content) => ollamaLine(info, { content })));
    parts.push(`${JSON.stringify(ollamaFinal(info, { evalCount: count }))}\n`);
  } else {
    const frames = createOpenAiFrames(info, { id: "chatcmpl-mock-flood" });
    parts.push(sseData(frames.chunk({ role: "assistant", content: "" })));
    parts.push(repeatCycle(tokens, count, (content) => sseData(frames.chunk({ content }))));
    parts.push(sseData(frames.chunk({ content: null }, { finishReason: "stop" })));
    if (info.includeUsage) parts.push(sseData(frames.usageChunk(count)));
    parts.push(SSE_DONE);
  }
  const body = Buffer.from(parts.join(""));
  if (floodCache.size >= FLOOD_CACHE_ENTRIES) {
    const oldest = floodCache.keys().next().value;
    if (oldest !== undefined) floodCache.delete(oldest);
  }
  floodCache.set(key, body);
  return body;
}

/** `N` chunks as fast as the socket takes them, in 256 KiB writes of pre-built bytes. */
function flood(context: ScenarioContext): ScenarioResponse {
  const body = floodBody(context, chunkCount(context, FLOOD_DEFAULT_CHUNKS));
  const steps: Step[] = [];
  for (let offset = 0; offset < body.byteLength; offset += FLOOD_WRITE_BYTES) {
    steps.push({ write: body.subarray(offset, offset + FLOOD_WRITE_BYTES) });
  }
  return {
    headers: context.api === "ollama" ? { "content-type": "application/x-ndjson" } : SSE_HEADERS,
    steps,
  };
}

/**
 * One chunk every `x-mock-interval-ms` (default 10). Each chunk's content is the send time on the
 * `performance.timeOrigin + performance.now()` clock with three decimals and a trailing space, so a
 * benchmark on the same machine computes delivery latency as receive time minus that number.
 */
function paced(context: ScenarioContext): ScenarioResponse {
  const count = chunkCount(context, 20);
  const stamp = () => `${(performance.timeOrigin + performance.now()).toFixed(3)} `;
  return tokenStream(context, {
    tokens: Array.from({ length: count }, () => stamp),
    intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 10,
  });
}

/** Throughput and latency scenarios for benchmarks. */
export const loadScenarios: Record<string, Scenario> = { flood, paced };
