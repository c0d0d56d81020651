import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { createProgressBar } from "../../bench/createProgressBar.js";
import { DEFINITIONS, definitionsText } from "../../bench/definitions.js";
import { formatReport, levelLabel } from "../../bench/formatReport.js";
import { renderHtmlReport } from "../../bench/renderHtmlReport.js";
import type { BenchTarget } from "../../bench/runBench.js";
import type { Send } from "../../bench/runLevel.js";
import { isInvalidRun } from "../../bench/runVerdict.js";
import {
  type BenchSettings,
  type RawBenchOptions,
  resolveBenchSettings,
} from "../bench/resolveBenchSettings.js";
import { type CommandIo, processIo } from "../CommandIo.js";
import { UsageError } from "../chat/UsageError.js";
import { ExitCode } from "../exitCodes.js";
import { benchTerms, inCliTerms } from "../inCliTerms.js";
import { version } from "../version.js";

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
${definitionsText(
  "  ",
  DEFINITIONS.map(([name, text]) => [inCliTerms(name, benchTerms), inCliTerms(text, benchTerms)] as const),
)}

Exit codes: 0 done, 1 INVALID open-loop run (the client lagged) or another failure, 2 usage error,
3/4/5/6 every request failed (connection / HTTP / timeout / in-stream or truncated), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM); both still print the report of what was measured.

Examples:
  $ llmstream bench --base-url http://127.0.0.1:8080/v1 -m qwen2.5 --concurrency 1,8,32 --max-tokens 128
  $ llmstream bench --base-url http://127.0.0.1:8000/v1 -m m --rate 2,8,32 --duration 60 --slo ttft=500ms,tpot=50ms --html r.html
  $ llmstream bench --model-file ../shared/models/stories260K.gguf --concurrency 1,2 --requests 8 --max-tokens 32
  $ llmstream bench --base-url http://127.0.0.1:8080/v1 -m m --compare http://127.0.0.1:8081/v1 --json diff.json
`;

/** Registers `llmstream bench`. The exit code goes to `exit.code`; output drains before the process ends. */
export function registerBenchCommand(
  program: Command,
  exit: { code: number },
  io: BenchIO = processIo(),
): Command {
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
      exit.code = await runBenchCommand(raw, io);
    });
}

/** The process pieces `bench` talks to: the progress bar also needs the terminal's width. */
export interface BenchIO extends CommandIo {
  stderr: CommandIo["stderr"] & { columns?: number };
}

export async function runBenchCommand(raw: RawBenchOptions, io: BenchIO): Promise<number> {
  const warn = (line: string) =>
    io.stderr.write(`${inCliTerms(line, benchTerms).replace(/\s*\r?\n\s*/g, " ")}\n`);
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
  // SIGTERM (`timeout`, `docker stop`, systemd) is handled like Ctrl-C: the report of what was measured.
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (aborter.signal.aborted)
      process.exit(stoppedBy === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    stoppedBy = signal;
    warn(
      `llmstream bench: ${signal === "SIGTERM" ? "terminated" : "interrupted"}; finishing the report with what was measured (Ctrl-C again to quit at once)`,
    );
    aborter.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
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
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (settings.target !== undefined && "modelFile" in settings.target) {
      const { disposeEngine } = await import("@llmstream/engine");
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
  io.stdout.write(
    `${inCliTerms(formatReport(run), benchTerms)}\nDefinitions: llmstream bench --help (and "definitions" in --json)\n`,
  );
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
  if (aborter.signal.aborted) return stoppedBy === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
  if (isInvalidRun(run)) {
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
