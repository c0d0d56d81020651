import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Arrivals } from "../../bench/arrivalTimes.js";
import type { BenchProtocol } from "../../bench/createHttpSender.js";
import { definitionsText } from "../../bench/definitions.js";
import { formatReport, levelLabel } from "../../bench/formatReport.js";
import { type BenchPrompt, parsePromptLines, syntheticPrompts } from "../../bench/prompts.js";
import { renderHtmlReport } from "../../bench/renderHtmlReport.js";
import type { BenchTarget } from "../../bench/runBench.js";
import type { LevelPlan, Send } from "../../bench/runLevel.js";
import type { Slo } from "../../bench/summarizeLevel.js";
import { UsageError } from "../chat/UsageError.js";
import { ExitCode } from "../runCli.js";
import { version } from "../version.js";

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

const helpText = `
Load: --concurrency 1,8,32 runs closed-loop levels (that many requests in flight, each sent when
the previous one ended); --rate 2,8,32 runs open-loop levels (requests/s on a seeded schedule of
--arrivals poisson|constant|gamma, --burstiness B for gamma, whatever the server's speed). Each level
sends --requests N (default 50) or runs --duration S, after --warmup N unmeasured requests.
Prompts: --prompts file.jsonl ({"prompt": "…"} or {"messages": […]} per line, optional "max_tokens"),
or synthetic ones of --prompt-tokens N words (≈ tokens; default 32, ± --prompt-tokens-stddev).
--model-file runs the GGUF model in the embedded engine, in this process, with the same report.
--compare URL runs the same schedule and prompts against a second endpoint, level by level, and
prints the differences. --non-streaming-too also sends every level with stream: false and compares
the time to the whole answer with the streamed time to first token.

Output: a progress bar on stderr (a terminal only), the table on stdout, --json out.json (vLLM
\`bench serve\` keys where the metric is the same, plus llmstream's keys and every request),
--html report.html (self-contained, with charts). Token counts come from the server's usage.

Definitions:
${definitionsText()}

Exit codes: 0 done, 1 INVALID open-loop run (the client lagged) or another failure, 2 usage error,
3/4/5/6 every request failed (connection / HTTP / timeout / in-stream or truncated), 130 interrupted.

Examples:
  $ llmstream bench --base-url http://127.0.0.1:8080/v1 -m qwen2.5 --concurrency 1,8,32 --max-tokens 128
  $ llmstream bench --base-url http://127.0.0.1:8000/v1 -m m --rate 2,8,32 --duration 60 --slo ttft=500ms,tpot=50ms --html r.html
  $ llmstream bench --model-file ../shared/models/stories260K.gguf --concurrency 1,2 --requests 8 --max-tokens 32
  $ llmstream bench --base-url http://127.0.0.1:8080/v1 -m m --compare http://127.0.0.1:8081/v1 --json diff.json
`;

/** Registers `llmstream bench`. The exit code goes to `exit.code`; output drains before the process ends. */
export function registerBenchCommand(program: Command, exit: { code: number }): Command {
  return program
    .command("bench")
    .description("Measure latency and throughput of an LLM server (or the embedded engine) under load")
    .option("--base-url <url>", "OpenAI-compatible base URL (or LLMSTREAM_BASE_URL / OPENAI_BASE_URL)")
    .option("-m, --model <name>", "model name sent to the server (or LLMSTREAM_MODEL)")
    .option("--model-file <path>", "benchmark this GGUF model in the embedded engine, in process")
    .option("--protocol <protocol>", "openai, ollama (native /api/chat) or responses (default: openai)")
    .option("--api-key <key>", "API key sent as a bearer token (or OPENAI_API_KEY)")
    .option("--concurrency <list>", "closed-loop levels: requests in flight, comma-separated (default: 1)")
    .option("--rate <list>", "open-loop levels: requests per second, comma-separated")
    .option("--arrivals <kind>", "open-loop arrivals: poisson, constant or gamma (default: poisson)")
    .option("--burstiness <b>", "gamma shape: < 1 burstier, > 1 more regular (default: 1)")
    .option("--requests <n>", "measured requests per level (default: 50, or unbounded with --duration)")
    .option("--duration <seconds>", "run each level this long")
    .option(
      "--warmup <n>",
      "unmeasured requests before each level (default: 0; 1 with --model-file, which loads the model)",
    )
    .option("--prompt-tokens <n>", "synthetic prompt length in words ≈ tokens (default: 32)")
    .option("--prompt-tokens-stddev <n>", "standard deviation of the synthetic prompt length (default: 0)")
    .option("--prompts <file>", "JSONL prompts instead of synthetic ones")
    .option("--max-tokens <n>", "most tokens per answer")
    .option("--ignore-eos", "send ignore_eos: true, so answers run to --max-tokens (vLLM, llama.cpp)")
    .option("--non-streaming-too", "also run every level with stream: false and compare")
    .option("--slo <list>", "service levels for goodput, e.g. ttft=500ms,tpot=50ms,e2e=10s")
    .option("--json <file>", "write the full report as JSON")
    .option("--html <file>", "write a self-contained HTML report with charts")
    .option("--compare <url>", "run the same schedule against this second base URL and report the difference")
    .option("--seed <n>", "seed of the schedule and the synthetic prompts (default: 0)")
    .option("--temperature <t>", "sampling temperature sent with every request")
    .option("--header <name=value...>", "extra request header (repeatable)")
    .option("--request-timeout <seconds>", "give up on one request after this long (default: 600)")
    .option("--threads <n>", "CPU threads for the embedded engine")
    .addHelpText("after", helpText)
    .action(async (raw: RawBenchOptions) => {
      exit.code = await runBenchCommand(raw, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
      });
    });
}

/** The process pieces `bench` talks to. */
export interface BenchIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}

interface BenchSettings {
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
export async function runBenchCommand(raw: RawBenchOptions, io: BenchIO): Promise<number> {
  const warn = (line: string) => io.stderr.write(`${line.replace(/\s*\r?\n\s*/g, " ")}\n`);
  let settings: BenchSettings;
  try {
    settings = await resolveBenchSettings(raw, io.env);
  } catch (error) {
    warn(`llmstream bench: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UsageError || error instanceof RangeError || error instanceof SyntaxError
      ? ExitCode.usage
      : ExitCode.failure;
  }
  const { runBench } = await import("../../bench/runBench.js");
  let target: BenchTarget;
  let compare: BenchTarget | undefined;
  try {
    target = await createTarget(
      settings,
      "target" in settings && "baseURL" in settings.target ? settings.target.baseURL : undefined,
    );
    if (settings.compare !== undefined) compare = await createTarget(settings, settings.compare);
  } catch (error) {
    warn(`llmstream bench: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof TypeError ? ExitCode.usage : ExitCode.failure;
  }
  const aborter = new AbortController();
  const onSigint = () => {
    if (aborter.signal.aborted) process.exit(ExitCode.interrupted);
    warn(
      "llmstream bench: interrupted; finishing the report with what was measured (Ctrl-C again to quit at once)",
    );
    aborter.abort();
  };
  process.on("SIGINT", onSigint);
  const progress = createProgressBar(io.stderr);
  let run: Awaited<ReturnType<typeof runBench>>;
  try {
    run = await runBench({
      target,
      ...(compare === undefined ? {} : { compare }),
      levels: settings.levels,
      prompts: settings.prompts,
      ...(settings.slo === undefined ? {} : { slo: settings.slo }),
      nonStreamingToo: settings.nonStreamingToo,
      signal: aborter.signal,
      onProgress: ({ pass, level, done, fraction }) =>
        progress.update(`${levelLabel(level)} ${pass}`, done, fraction),
    });
  } catch (error) {
    progress.clear();
    warn(`llmstream bench: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.failure;
  } finally {
    process.off("SIGINT", onSigint);
    if (settings.target !== undefined && "modelFile" in settings.target) {
      const { disposeEngine } = await import("../../engine/index.js");
      await disposeEngine().catch(() => {});
    }
  }
  progress.clear();
  const info = {
    version,
    backend: "modelFile" in settings.target ? "engine" : settings.protocol,
    model: settings.model,
    date: new Date().toISOString(),
    seed: settings.seed,
    ...(settings.levels.some((l) => l.mode === "rate") ? { arrivals: settings.arrivals } : {}),
  };
  io.stdout.write(formatReport(run));
  try {
    if (settings.json !== undefined) {
      const { toJsonReport } = await import("../../bench/toJsonReport.js");
      await writeFile(settings.json, `${JSON.stringify(toJsonReport(run, info), null, 2)}\n`);
    }
    if (settings.html !== undefined)
      await writeFile(settings.html, renderHtmlReport(run, { ...info, slo: settings.slo }));
  } catch (error) {
    warn(`llmstream bench: could not write the report: ${(error as Error).message}`);
    return ExitCode.failure;
  }
  const all = [...run.levels, ...(run.compare?.levels ?? [])];
  if (aborter.signal.aborted) return ExitCode.interrupted;
  if (all.some((l) => l.stats.invalid)) {
    warn(
      "llmstream bench: INVALID RUN: the client lagged behind the open-loop schedule (see the warnings above)",
    );
    return ExitCode.failure;
  }
  if (all.length > 0 && all.every((l) => l.stats.completed === 0 && l.stats.failed > 0)) {
    const first = all.flatMap((l) => l.records).find((r) => !r.ok);
    warn(
      `llmstream bench: every request failed; the first: ${first?.error ?? first?.errorClass ?? "unknown"}`,
    );
    return exitCodeForClass(first?.errorClass);
  }
  return ExitCode.ok;
}

function exitCodeForClass(errorClass: string | undefined): number {
  switch (errorClass) {
    case "connection":
      return ExitCode.connection;
    case "http":
      return ExitCode.http;
    case "timeout":
      return ExitCode.timeout;
    case "in_stream":
    case "truncated":
      return ExitCode.protocol;
    default:
      return ExitCode.failure;
  }
}

async function createTarget(settings: BenchSettings, baseURL: string | undefined): Promise<BenchTarget> {
  const timeouts = { totalMs: settings.requestTimeoutMs };
  let send: Send;
  if (baseURL === undefined && "modelFile" in settings.target) {
    const { createEngineSender } = await import("../../bench/createEngineSender.js");
    send = await createEngineSender({
      modelFile: settings.target.modelFile,
      timeouts,
      ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      ...(settings.threads === undefined ? {} : { threads: settings.threads }),
    });
    return { label: `engine:${settings.target.modelFile}`, send };
  }
  const { createHttpSender } = await import("../../bench/createHttpSender.js");
  send = await createHttpSender({
    baseURL: baseURL as string,
    model: settings.model,
    protocol: settings.protocol,
    ignoreEos: settings.ignoreEos,
    headers: settings.headers,
    timeouts,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
  });
  return { label: baseURL as string, send };
}

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

async function resolveBenchSettings(
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
  const { parseSlo } = await import("../../bench/parseSlo.js");
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

/** A one-line progress bar on a terminal's stderr, redrawn at most every 100 ms; nothing on a pipe. */
function createProgressBar(stderr: BenchIO["stderr"]): {
  update(label: string, done: number, fraction: number): void;
  clear(): void;
} {
  if (stderr.isTTY !== true) return { update() {}, clear() {} };
  let last = 0;
  let drawn = false;
  return {
    update(label, done, fraction) {
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done} done  ${label}`;
      stderr.write(`\r\x1b[2K${line.slice(0, (stderr.columns ?? 80) - 1)}`);
      drawn = true;
    },
    clear() {
      if (drawn) stderr.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
