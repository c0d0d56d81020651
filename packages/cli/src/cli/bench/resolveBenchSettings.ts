import { readFile } from "node:fs/promises";
import type { Arrivals } from "../../bench/arrivalTimes.js";
import type { BenchProtocol } from "../../bench/createHttpSender.js";
import { parseSlo } from "../../bench/parseSlo.js";
import { type BenchPrompt, parsePromptLines, syntheticPrompts } from "../../bench/prompts.js";
import type { LevelPlan } from "../../bench/runLevel.js";
import type { Slo } from "../../bench/summarizeLevel.js";
import { UsageError } from "../chat/UsageError.js";

/** The options as commander hands them over (strings, unparsed). */
export interface RawBenchOptions {
  baseUrl?: string;
  model?: string;
  modelFile?: string;
  protocol?: string;
  apiKey?: string;
  concurrency?: string;
  rate?: string;
  arrivals?: string;
  burstiness?: string;
  requests?: string;
  duration?: string;
  warmup?: string;
  promptTokens?: string;
  promptTokensStddev?: string;
  prompts?: string;
  maxTokens?: string;
  ignoreEos?: boolean;
  nonStreamingToo?: boolean;
  slo?: string;
  json?: string;
  html?: string;
  compare?: string;
  seed?: string;
  temperature?: string;
  header?: string[];
  requestTimeout?: string;
  threads?: string;
}

/** The checked options of one `bench` run. */
export interface BenchSettings {
  target: { baseURL: string } | { modelFile: string };
  model: string;
  protocol: BenchProtocol;
  levels: LevelPlan[];
  prompts: BenchPrompt[];
  slo?: Slo;
  compare?: string;
  apiKey?: string;
  maxTokens?: number;
  ignoreEos: boolean;
  nonStreamingToo: boolean;
  temperature?: number;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  threads?: number;
  seed: number;
  arrivals: Arrivals;
  json?: string;
  html?: string;
}

/** Runs `llmstream bench`; resolves to the exit code and never throws. */
function positiveNumber(name: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${name} must be a positive ${integer ? "whole number" : "number"}, got "${raw}"`);
  }
  return value;
}

function list(name: string, raw: string, integer: boolean): number[] {
  return raw.split(",").map((part) => positiveNumber(name, part.trim(), integer) as number);
}

function checkURL(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === "http:" || url.protocol === "https:") return raw;
  } catch {
    // Fall through to the message.
  }
  throw new UsageError(`${name} must be a full http(s) URL like http://127.0.0.1:8080/v1, got "${raw}"`);
}

/**
 * Checks and resolves `bench`'s options (and the environment) into settings; throws a `UsageError`
 * (or `RangeError`/`SyntaxError` from the SLO and prompt parsers) that names the bad option.
 */
export async function resolveBenchSettings(
  raw: RawBenchOptions,
  env: Record<string, string | undefined>,
): Promise<BenchSettings> {
  const protocol = (raw.protocol ?? "openai") as BenchProtocol;
  if (!["openai", "ollama", "responses"].includes(protocol)) {
    throw new UsageError(`--protocol must be openai, ollama or responses, got "${raw.protocol}"`);
  }
  const envURL = env.LLMSTREAM_BASE_URL || env.OPENAI_BASE_URL || undefined;
  let target: BenchSettings["target"];
  if (raw.modelFile !== undefined) {
    if (raw.baseUrl !== undefined)
      throw new UsageError("Give --base-url or --model-file, not both (use --compare for a second endpoint)");
    target = { modelFile: raw.modelFile };
  } else {
    const url = raw.baseUrl ?? envURL;
    if (url === undefined)
      throw new UsageError("Give --base-url URL (a server) or --model-file file.gguf (the embedded engine)");
    target = { baseURL: checkURL("--base-url", url) };
  }
  const model =
    raw.model ??
    env.LLMSTREAM_MODEL ??
    ("modelFile" in target ? target.modelFile.replace(/^.*[\\/]/, "").replace(/\.gguf$/i, "") : undefined);
  if (model === undefined)
    throw new UsageError("Give --model (the model name the server serves), or set LLMSTREAM_MODEL");
  if (raw.concurrency !== undefined && raw.rate !== undefined)
    throw new UsageError("Give --concurrency or --rate, not both");
  const arrivals = (raw.arrivals ?? "poisson") as Arrivals;
  if (!["poisson", "constant", "gamma"].includes(arrivals)) {
    throw new UsageError(`--arrivals must be poisson, constant or gamma, got "${raw.arrivals}"`);
  }
  const burstiness = positiveNumber("--burstiness", raw.burstiness, false);
  if (burstiness !== undefined && arrivals !== "gamma" && burstiness !== 1) {
    throw new UsageError("--burstiness shapes gamma arrivals: add --arrivals gamma");
  }
  const durationS = positiveNumber("--duration", raw.duration, false);
  const requests =
    positiveNumber("--requests", raw.requests, true) ?? (durationS === undefined ? 50 : undefined);
  // The engine loads its model on the first request: unless told otherwise, that one is not measured.
  const warmup =
    raw.warmup === undefined
      ? "modelFile" in target
        ? 1
        : 0
      : raw.warmup === "0"
        ? 0
        : (positiveNumber("--warmup", raw.warmup, true) as number);
  const seed = raw.seed === undefined ? 0 : Number(raw.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got "${raw.seed}"`);
  const base = {
    warmup,
    seed,
    ...(requests === undefined ? {} : { requests }),
    ...(durationS === undefined ? {} : { durationMs: durationS * 1000 }),
  };
  const levels: LevelPlan[] =
    raw.rate !== undefined
      ? list("--rate", raw.rate, false).map((value) => ({
          mode: "rate" as const,
          value,
          arrivals,
          ...(burstiness === undefined ? {} : { burstiness }),
          ...base,
        }))
      : list("--concurrency", raw.concurrency ?? "1", true).map((value) => ({
          mode: "concurrency" as const,
          value,
          ...base,
        }));
  const count = Math.min(10_000, Math.max(...levels.map((l) => (l.requests ?? 1000) + warmup)));
  let prompts: BenchPrompt[];
  if (raw.prompts !== undefined) {
    if (raw.promptTokens !== undefined) throw new UsageError("Give --prompts or --prompt-tokens, not both");
    let text: string;
    try {
      text = await readFile(raw.prompts, "utf8");
    } catch (error) {
      throw new UsageError(`Cannot read --prompts ${raw.prompts}: ${(error as Error).message}`);
    }
    prompts = parsePromptLines(text);
  } else {
    prompts = syntheticPrompts({
      count,
      tokens: positiveNumber("--prompt-tokens", raw.promptTokens, true) ?? 32,
      stddev: raw.promptTokensStddev === undefined ? 0 : Number(raw.promptTokensStddev),
      seed,
    });
    if (!(Number(raw.promptTokensStddev ?? 0) >= 0))
      throw new UsageError("--prompt-tokens-stddev must be 0 or more");
  }
  const headers: Record<string, string> = {};
  for (const header of raw.header ?? []) {
    const at = header.indexOf("=");
    if (at <= 0) throw new UsageError(`--header must be name=value, got "${header}"`);
    headers[header.slice(0, at).trim().toLowerCase()] = header.slice(at + 1);
  }
  if (raw.nonStreamingToo === true && "modelFile" in target) {
    throw new UsageError(
      "--non-streaming-too compares a server's streamed and whole answers; the engine always streams",
    );
  }
  const settings: BenchSettings = {
    target,
    model,
    protocol,
    levels,
    prompts,
    ignoreEos: raw.ignoreEos === true,
    nonStreamingToo: raw.nonStreamingToo === true,
    headers,
    requestTimeoutMs: (positiveNumber("--request-timeout", raw.requestTimeout, false) ?? 600) * 1000,
    seed,
    arrivals,
  };
  if (raw.slo !== undefined) settings.slo = parseSlo(raw.slo);
  if (raw.compare !== undefined) settings.compare = checkURL("--compare", raw.compare);
  const apiKey = raw.apiKey ?? env.OPENAI_API_KEY;
  if (apiKey !== undefined && apiKey !== "") settings.apiKey = apiKey;
  const maxTokens = positiveNumber("--max-tokens", raw.maxTokens, true);
  if (maxTokens !== undefined) settings.maxTokens = maxTokens;
  if (raw.temperature !== undefined) {
    const t = Number(raw.temperature);
    if (!(t >= 0)) throw new UsageError(`--temperature must be 0 or more, got "${raw.temperature}"`);
    settings.temperature = t;
  }
  const threads = positiveNumber("--threads", raw.threads, true);
  if (threads !== undefined) settings.threads = threads;
  if (raw.json !== undefined) settings.json = raw.json;
  if (raw.html !== undefined) settings.html = raw.html;
  return settings;
}
