import type { Protocol, Timeouts } from "llmstream";
import { UsageError } from "./UsageError.js";

/** The `chat` options exactly as commander hands them over: strings and booleans, unvalidated. */
export interface RawChatOptions {
  baseUrl?: string;
  protocol?: string;
  model?: string;
  apiKey?: string;
  system?: string;
  temperature?: string;
  maxTokens?: string;
  seed?: string;
  firstTokenTimeout?: string;
  idleTimeout?: string;
  timeout?: string;
  retries?: string;
  json?: boolean;
  stats?: boolean;
  /** `false` when `--no-stream` was given. */
  stream?: boolean;
  interactive?: boolean;
  hideReasoning?: boolean;
  thinkTags?: string;
  chunk?: string;
  smooth?: boolean;
  render?: string;
  modelFile?: string;
  threads?: string;
  /** `false` when `--no-log` was given. */
  log?: boolean;
  logFile?: string;
  /** `false` when `--no-log-content` was given. */
  logContent?: boolean;
}

/** Display granularity of `--chunk`: `token` leaves the stream as the server cut it. */
export type ChunkMode = "token" | "word" | "line" | "sentence";
/** `--render`: markdown drawn for a terminal, or the text as it is. */
export type RenderMode = "markdown" | "plain";

/** The environment variables `chat` reads. */
export type ChatEnv = Record<string, string | undefined>;

/** Validated `chat` settings, ready to become a request. */
export interface ChatSettings {
  baseURL: string;
  /** True when the URL came from `--base-url` or an environment variable, not the default. */
  baseURLExplicit: boolean;
  protocol: Protocol;
  model: string;
  apiKey?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  timeouts: Timeouts;
  retries?: number;
  json: boolean;
  stats: boolean;
  stream: boolean;
  interactive: boolean;
  hideReasoning: boolean;
  /** `--think-tags`: inline `<think>` handling (unset: the library's "auto"). */
  thinkTags?: "auto" | "start-in-thinking" | false;
  chunk: ChunkMode;
  smooth: boolean;
  /** Unset: markdown on a terminal, plain otherwise. */
  render?: RenderMode;
  /**
   * The embedded engine's model file: from `--model-file`, or `LLMSTREAM_MODEL_FILE` when no server
   * URL was given. Set means "use the engine".
   */
  modelFile?: string;
  threads?: number;
  log: boolean;
  logFile?: string;
  logContent: boolean;
}

/** The OpenAI-compatible default: a local Ollama's `/v1` endpoint. */
export const defaultOpenAIBaseURL = "http://localhost:11434/v1";
/** Ollama's native API default. */
export const defaultOllamaBaseURL = "http://localhost:11434";
/** The model asked for when none is given. */
export const defaultModel = "llama3";
/**
 * Default first-token timeout, seconds. Generous because a local server may load the model first,
 * but finite so that a dead server never hangs a script.
 */
export const defaultFirstTokenTimeoutSeconds = 300;
/** Default longest silence between tokens, seconds. */
export const defaultIdleTimeoutSeconds = 60;
/** Largest `--retries` accepted; more is a typo, not a plan. */
export const maxRetries = 100;
/** Largest `--threads` accepted. */
export const maxThreads = 1024;
const chunkModes: readonly ChunkMode[] = ["token", "word", "line", "sentence"];
const renderModes: readonly RenderMode[] = ["markdown", "plain"];
const thinkTagModes = ["auto", "start-in-thinking", "off"] as const;

const decimalPattern = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Validates the raw `chat` options and fills in defaults from the environment. Pure: reads only its
 * arguments. Throws a {@link UsageError} naming the option and the accepted values.
 */
export function resolveChatOptions(raw: RawChatOptions, env: ChatEnv): ChatSettings {
  const protocol = parseProtocol(raw.protocol);
  const { baseURL, explicit } = resolveBaseURL(protocol, raw.baseUrl, env);
  const model = nonEmpty(raw.model) ?? nonEmpty(env.LLMSTREAM_MODEL) ?? defaultModel;
  const apiKey = nonEmpty(raw.apiKey) ?? nonEmpty(env.OPENAI_API_KEY);
  const settings: ChatSettings = {
    baseURL,
    baseURLExplicit: explicit,
    protocol,
    model,
    timeouts: {
      ...secondsOption(
        "--first-token-timeout",
        raw.firstTokenTimeout,
        defaultFirstTokenTimeoutSeconds,
        "firstTokenMs",
      ),
      ...secondsOption("--idle-timeout", raw.idleTimeout, defaultIdleTimeoutSeconds, "idleMs"),
      ...secondsOption("--timeout", raw.timeout, 0, "totalMs"),
    },
    json: raw.json === true,
    stats: raw.stats === true,
    stream: raw.stream !== false,
    interactive: raw.interactive === true,
    hideReasoning: raw.hideReasoning === true,
    chunk: oneOf("--chunk", raw.chunk, chunkModes) ?? "token",
    smooth: raw.smooth === true,
    log: raw.log !== false,
    logContent: raw.logContent !== false,
  };
  const thinkTags = oneOf("--think-tags", raw.thinkTags, thinkTagModes);
  if (thinkTags !== undefined) settings.thinkTags = thinkTags === "off" ? false : thinkTags;
  const render = oneOf("--render", raw.render, renderModes);
  if (render !== undefined) settings.render = render;
  const modelFile = resolveModelFileSetting(raw.modelFile, raw.baseUrl, explicit, env);
  if (modelFile !== undefined) settings.modelFile = modelFile;
  if (raw.threads !== undefined) settings.threads = parseThreads(raw.threads);
  const logFile = nonEmpty(raw.logFile);
  if (logFile !== undefined) settings.logFile = logFile;
  if (apiKey !== undefined) settings.apiKey = apiKey;
  if (raw.system !== undefined) settings.system = raw.system;
  if (raw.temperature !== undefined) settings.temperature = parseDecimal("--temperature", raw.temperature);
  if (raw.maxTokens !== undefined) settings.maxTokens = parseMaxTokens(raw.maxTokens);
  if (raw.seed !== undefined) settings.seed = parseSeed(raw.seed);
  if (raw.retries !== undefined) settings.retries = parseRetries(raw.retries);
  return settings;
}

/**
 * Joins the piped stdin text and the prompt arguments: the piped text first, then a blank line, then
 * the arguments (the instruction), as `llm` and `ollama run` do. Either may be missing; both missing is a usage error.
 */
export function buildPrompt(args: readonly string[], stdinText: string | undefined): string {
  const fromArgs = args.join(" ").trim();
  // Leading indentation of piped text may matter (code); trailing newlines never do.
  const fromStdin = stdinText?.trim() === "" ? "" : (stdinText?.trimEnd() ?? "");
  if (fromArgs === "" && fromStdin === "") {
    throw new UsageError(
      'No prompt: give it as arguments (llmstream chat "Hello") or pipe it on stdin, or use --interactive',
    );
  }
  if (fromArgs === "") return fromStdin;
  if (fromStdin === "") return fromArgs;
  return `${fromStdin}\n\n${fromArgs}`;
}

/**
 * `--model-file` means the engine, so it cannot go with `--base-url`. `LLMSTREAM_MODEL_FILE` is the
 * default engine model: it applies only when no server URL was configured either.
 */
function resolveModelFileSetting(
  flag: string | undefined,
  baseUrlFlag: string | undefined,
  baseURLExplicit: boolean,
  env: ChatEnv,
): string | undefined {
  const fromFlag = nonEmpty(flag);
  if (fromFlag !== undefined) {
    if (nonEmpty(baseUrlFlag) !== undefined) {
      throw new UsageError(
        "--model-file runs the embedded engine and --base-url names a server: give one of them",
      );
    }
    return fromFlag;
  }
  return baseURLExplicit ? undefined : nonEmpty(env.LLMSTREAM_MODEL_FILE);
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
}

function parseThreads(value: string): number {
  const number = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > maxThreads) {
    throw new UsageError(`--threads must be a whole number from 1 to ${maxThreads}, got "${value}"`);
  }
  return number;
}

function parseProtocol(value: string | undefined): Protocol {
  if (value === undefined || value === "openai") return "openai";
  if (value === "ollama") return "ollama";
  if (value === "responses") return "responses";
  throw new UsageError(`--protocol must be "openai", "ollama" or "responses", got "${value}"`);
}

function resolveBaseURL(
  protocol: Protocol,
  flag: string | undefined,
  env: ChatEnv,
): { baseURL: string; explicit: boolean } {
  const fromFlag = nonEmpty(flag);
  if (fromFlag !== undefined) return { baseURL: checkURL("--base-url", fromFlag), explicit: true };
  const fromEnv = nonEmpty(env.LLMSTREAM_BASE_URL);
  if (fromEnv !== undefined) return { baseURL: checkURL("LLMSTREAM_BASE_URL", fromEnv), explicit: true };
  if (protocol !== "ollama") {
    const openai = nonEmpty(env.OPENAI_BASE_URL);
    if (openai !== undefined) return { baseURL: checkURL("OPENAI_BASE_URL", openai), explicit: true };
  }
  // The default server is Ollama's, so OLLAMA_HOST moves it, as it does for Ollama's own tools.
  const ollamaHost = nonEmpty(env.OLLAMA_HOST);
  if (ollamaHost !== undefined) {
    const host = ollamaHostURL(ollamaHost);
    return { baseURL: protocol === "ollama" ? host : `${host.replace(/\/+$/, "")}/v1`, explicit: true };
  }
  return { baseURL: protocol === "ollama" ? defaultOllamaBaseURL : defaultOpenAIBaseURL, explicit: false };
}

/**
 * Reads `OLLAMA_HOST` the way Ollama itself does: a bare `host[:port]` means `http://` and port
 * 11434; with an explicit scheme the scheme's default port applies.
 */
function ollamaHostURL(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return checkURL("OLLAMA_HOST", value);
  const url = new URL(checkURL("OLLAMA_HOST", `http://${value}`));
  if (url.port === "") url.port = "11434";
  return url.href.replace(/\/$/, "");
}

function checkURL(source: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} must be an http(s) URL such as ${defaultOpenAIBaseURL}, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${source} must be an http(s) URL such as ${defaultOpenAIBaseURL}, got "${value}"`);
  }
  return value;
}

function secondsOption(
  name: string,
  value: string | undefined,
  defaultSeconds: number,
  key: keyof Timeouts,
): Timeouts {
  const seconds =
    value === undefined ? defaultSeconds : parseDecimal(name, value, " (seconds; 0 turns it off)");
  const ms = Math.round(seconds * 1000);
  return ms > 0 ? { [key]: ms } : {};
}

function parseDecimal(name: string, value: string, what = ""): number {
  const trimmed = value.trim();
  const number = Number(trimmed);
  if (!decimalPattern.test(trimmed) || !Number.isFinite(number)) {
    throw new UsageError(`${name} must be a number ≥ 0${what}, got "${value}"`);
  }
  return number;
}

function parseMaxTokens(value: string): number {
  const number = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`--max-tokens must be a whole number ≥ 1, got "${value}"`);
  }
  return number;
}

function parseSeed(value: string): number {
  const number = Number(value.trim());
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new UsageError(`--seed must be a whole number, got "${value}"`);
  }
  return number;
}

function parseRetries(value: string): number {
  const number = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || number > maxRetries) {
    throw new UsageError(`--retries must be a whole number from 0 to ${maxRetries}, got "${value}"`);
  }
  return number;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
