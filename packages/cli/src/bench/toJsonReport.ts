import type { BenchRecord } from "./BenchRecord.js";
import { DEFINITIONS } from "./definitions.js";
import { type Distribution, PERCENTILES } from "./distribution.js";
import type { BenchRun } from "./runBench.js";
import type { LevelResult } from "./runLevel.js";
import { isInvalidRun, runWarnings } from "./runVerdict.js";

/** Facts about the run the numbers cannot tell. */
export interface RunInfo {
  version: string;
  /** `openai`, `ollama`, `responses` or `engine`. */
  backend: string;
  model: string;
  date: string;
  seed: number;
  arrivals?: string;
}

type Json = Record<string, unknown>;

/** vLLM's key for a statistic: mean_ttft_ms, median_ttft_ms, std_ttft_ms, p99_ttft_ms; plus max_/min_. */
function addDistribution(out: Json, name: string, d: Distribution | undefined, unit = "_ms"): void {
  if (d === undefined) return;
  out[`mean_${name}${unit}`] = d.mean;
  out[`median_${name}${unit}`] = d.p50;
  out[`std_${name}${unit}`] = d.std;
  for (const p of PERCENTILES) out[`p${p}_${name}${unit}`] = d[`p${p}`];
  out[`min_${name}${unit}`] = d.min;
  out[`max_${name}${unit}`] = d.max;
}

/**
 * One level as JSON: vLLM `bench serve` result keys where the metric is the same (`completed`,
 * `failed`, `request_throughput`, `output_throughput`, `mean_ttft_ms`, `median_tpot_ms`, `p99_itl_ms`,
 * `ttfts` in seconds, …), then llmstream's own keys, then the per-request records (milliseconds).
 */
export function levelToJson(level: LevelResult): Json {
  const { plan, stats, records } = level;
  const out: Json = {
    // vLLM's keys
    request_rate: plan.mode === "rate" ? plan.value : null,
    burstiness: plan.mode === "rate" ? (plan.arrivals === "gamma" ? (plan.burstiness ?? 1) : 1) : null,
    max_concurrency: plan.mode === "concurrency" ? plan.value : null,
    duration: stats.durationS,
    completed: stats.completed,
    failed: stats.failed,
    total_input_tokens: stats.totalInputTokens,
    total_output_tokens: stats.totalOutputTokens,
    request_throughput: stats.requestThroughput,
    request_goodput: stats.requestGoodput ?? null,
    output_throughput: stats.outputThroughput,
    total_token_throughput: stats.totalTokenThroughput,
    max_output_tokens_per_s: stats.maxOutputTokensPerS,
    max_concurrent_requests: stats.maxConcurrentRequests,
  };
  addDistribution(out, "ttft", stats.ttft);
  addDistribution(out, "tpot", stats.tpot);
  addDistribution(out, "itl", stats.interChunk);
  addDistribution(out, "e2el", stats.e2el);
  const ok = records.filter((r) => r.ok);
  out.input_lens = records.map((r) => r.promptTokens);
  out.output_lens = records.map((r) => (r.ok ? r.outputTokens : 0));
  out.ttfts = records.map((r) =>
    r.ok && r.firstTokenAt !== undefined ? (r.firstTokenAt - r.sentAt) / 1000 : 0,
  );
  out.itls = records.map((r) => (r.ok ? gaps(r).map((g) => g / 1000) : []));
  out.latencies = records.map((r) => (r.ok ? (r.endAt - r.sentAt) / 1000 : 0));
  out.errors = records.map((r) => (r.ok ? "" : (r.error ?? r.errorClass ?? "failed")));
  // llmstream's keys
  out.mode = plan.mode;
  out.origin_epoch_ms = level.originEpochMs;
  out.streamed = plan.stream !== false;
  addDistribution(out, "ttfat", stats.ttfat);
  addDistribution(out, "ttfc", stats.ttfc);
  addDistribution(out, "inter_chunk", stats.interChunk);
  addDistribution(out, "inter_token", stats.interToken);
  addDistribution(out, "tokens_per_chunk", stats.tokensPerChunk, "");
  out.good_fraction = stats.goodFraction ?? null;
  out.errors_by_class = stats.errors;
  out.http_statuses = stats.httpStatuses;
  out.usage_sources = stats.usageSources;
  out.chunk_token_sources = stats.chunkTokenSources;
  out.output_tokens_per_second_windows = stats.outputTokensPerSecond;
  if (stats.serverTimings !== undefined) {
    out.server_timings_requests = stats.serverTimings.requests;
    addDistribution(out, "server_total", stats.serverTimings.serverTotalMs);
    addDistribution(out, "client_minus_server", stats.serverTimings.driftMs);
  }
  if (stats.openLoop !== undefined) {
    addDistribution(out, "ttft_from_scheduled", stats.openLoop.ttftFromScheduled);
    addDistribution(out, "e2el_from_scheduled", stats.openLoop.e2elFromScheduled);
    addDistribution(out, "schedule_lag", stats.openLoop.scheduleLag);
  }
  if (stats.client !== undefined) {
    out.client_cpu_percent = stats.client.cpuPercent;
    out.client_event_loop_delay_p50_ms = stats.client.eventLoopDelayMs.p50;
    out.client_event_loop_delay_p99_ms = stats.client.eventLoopDelayMs.p99;
    out.client_event_loop_delay_max_ms = stats.client.eventLoopDelayMs.max;
    if (stats.client.loadAverage !== undefined) out.machine_load_average = stats.client.loadAverage;
    if (stats.client.cores !== undefined) out.machine_cores = stats.client.cores;
  }
  out.invalid = stats.invalid;
  out.warnings = stats.warnings;
  out.successful_requests = ok.length;
  out.records = records;
  return out;
}

function gaps(r: BenchRecord): number[] {
  return r.chunkTimes.slice(1).map((t, i) => t - (r.chunkTimes[i] as number));
}

/**
 * The whole `--json` document. With a single level its vLLM keys are also at the top, so a script
 * written for one `vllm bench serve` result file reads it unchanged; `levels` always holds them all.
 */
export function toJsonReport(run: BenchRun, info: RunInfo): Json {
  const levels = run.levels.map(levelToJson);
  const invalid = isInvalidRun(run);
  const warnings = runWarnings(run);
  const report: Json = {
    ...(levels.length === 1 ? stripRecords(levels[0] as Json) : {}),
    date: info.date,
    backend: info.backend,
    model_id: info.model,
    base_url: run.target,
    llmstream_version: info.version,
    seed: info.seed,
    ...(info.arrivals === undefined ? {} : { arrivals: info.arrivals }),
    invalid,
    warnings,
    definitions: Object.fromEntries(DEFINITIONS),
    levels,
  };
  if (run.nonStreaming !== undefined) report.non_streaming = run.nonStreaming.map(levelToJson);
  if (run.compare !== undefined) {
    report.compare = { base_url: run.compare.target, levels: run.compare.levels.map(levelToJson) };
  }
  return report;
}

function stripRecords(level: Json): Json {
  const { records: _records, ...rest } = level;
  return rest;
}
