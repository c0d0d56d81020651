import type { UsageSource } from "llmstream";
import type { BenchRecord, ChunkTokenSource, ErrorClass } from "./BenchRecord.js";
import { type Distribution, distribution } from "./distribution.js";

/** Service-level objectives, each in milliseconds; a request is good when it meets every one given. */
export interface Slo {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

/** How hard the benchmark client itself worked while the level ran. */
export interface ClientLoad {
  /** Process CPU time (user + system) over wall time, in % of one core. */
  cpuPercent: number;
  /** `perf_hooks.monitorEventLoopDelay` over the level, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** The machine's 1-minute load average at the end of the level, and its cores. */
  loadAverage?: number;
  cores?: number;
}

/** A p99 schedule lag above this makes an open-loop run invalid: the client, not the server, set the pace. */
export const MAX_P99_LAG_MS = 10;
/** Above this CPU use (% of one core) the single-threaded client is near saturation. */
export const SATURATION_CPU_PERCENT = 80;
/** Above this event-loop delay p99 the client's own timestamps are late by that much. */
export const SATURATION_LOOP_DELAY_MS = 10;

/** The statistics of one load level. Distributions are over successful requests only. */
export interface LevelStats {
  completed: number;
  failed: number;
  errors: Partial<Record<ErrorClass, number>>;
  /** Failed requests by HTTP status, for the `http` class. */
  httpStatuses: Record<string, number>;
  /** First send (or scheduled send) to last end, seconds. */
  durationS: number;
  totalInputTokens: number;
  /** Output tokens of successful requests only: a failed request's tokens never count. */
  totalOutputTokens: number;
  requestThroughput: number;
  outputThroughput: number;
  totalTokenThroughput: number;
  /** The most output tokens received within any 1-second span (a sliding window over token arrivals). */
  maxOutputTokensPerS: number;
  maxConcurrentRequests: number;
  /** Output tokens received in each 1-second window from the start. */
  outputTokensPerSecond: number[];
  /** Successful requests meeting every SLO ÷ duration (requests/s); absent without SLOs. */
  requestGoodput?: number;
  /** Good requests ÷ all requests (failed ones included); absent without SLOs. */
  goodFraction?: number;
  /** Time to first token: the first content or reasoning token (vLLM's corrected definition). */
  ttft?: Distribution;
  /** Time to the first answer (non-reasoning) token. */
  ttfat?: Distribution;
  /** Time to the first chunk of any kind, the role-only chunk included. */
  ttfc?: Distribution;
  /** (e2e − TTFT) / (output tokens − 1), per request with 2 tokens or more. */
  tpot?: Distribution;
  /** Gaps between consecutive token-carrying chunks, over all requests (vLLM's "ITL"). */
  interChunk?: Distribution;
  /** Per-token latency: a chunk of k tokens after a gap g counts k times as g/k. */
  interToken?: Distribution;
  tokensPerChunk?: Distribution;
  e2el?: Distribution;
  usageSources: Partial<Record<UsageSource, number>>;
  chunkTokenSources: Partial<Record<ChunkTokenSource, number>>;
  /** Client e2e against the server's own timings, where the server sent any. */
  serverTimings?: { requests: number; serverTotalMs: Distribution; driftMs: Distribution };
  /** Open loop only. */
  openLoop?: {
    /** TTFT and e2e measured from the scheduled send time: they include the client's own queueing. */
    ttftFromScheduled?: Distribution;
    e2elFromScheduled?: Distribution;
    /** Actual send − scheduled send, all requests. */
    scheduleLag: Distribution;
  };
  client?: ClientLoad;
  /** True when the run cannot be trusted (open-loop p99 lag above the limit). */
  invalid: boolean;
  warnings: string[];
}

const inc = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const dist = (values: number[]) => distribution(values);
const put = <K extends keyof LevelStats>(stats: LevelStats, key: K, value: LevelStats[K] | undefined) => {
  if (value !== undefined) stats[key] = value;
};

/**
 * Computes one level's statistics from its measured requests. A request that failed — including a
 * 200 stream with an in-band error or without its finish marker — counts in `failed` and its tokens
 * count nowhere.
 */
export function summarizeLevel(
  records: readonly BenchRecord[],
  options: { slo?: Slo; client?: ClientLoad; openLoop?: boolean } = {},
): LevelStats {
  const ok = records.filter((r) => r.ok);
  const errors: Partial<Record<ErrorClass, number>> = {};
  const httpStatuses: Record<string, number> = {};
  for (const r of records) {
    if (r.ok) continue;
    inc(errors, r.errorClass ?? "other");
    if (r.errorClass === "http" && r.status !== undefined) inc(httpStatuses, String(r.status));
  }
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    start = Math.min(start, r.scheduledAt ?? r.sentAt, r.sentAt);
    end = Math.max(end, r.endAt);
  }
  const durationMs = records.length === 0 ? 0 : Math.max(end - start, 0);
  const perSecond = (n: number) => (durationMs > 0 ? (n * 1000) / durationMs : 0);

  const ttft: number[] = [];
  const ttfat: number[] = [];
  const ttfc: number[] = [];
  const tpot: number[] = [];
  const interChunk: number[] = [];
  const interToken: number[] = [];
  const tokensPerChunk: number[] = [];
  const e2el: number[] = [];
  const ttftScheduled: number[] = [];
  const e2elScheduled: number[] = [];
  const drift: number[] = [];
  const serverTotal: number[] = [];
  const usageSources: Partial<Record<UsageSource, number>> = {};
  const chunkTokenSources: Partial<Record<ChunkTokenSource, number>> = {};
  const windows: number[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let good = 0;
  const slo = options.slo;

  for (const r of ok) {
    inputTokens += r.promptTokens;
    outputTokens += r.outputTokens;
    inc(usageSources, r.usageSource);
    inc(chunkTokenSources, r.chunkTokenSource);
    const e2e = r.endAt - r.sentAt;
    e2el.push(e2e);
    if (r.scheduledAt !== undefined) e2elScheduled.push(r.endAt - r.scheduledAt);
    if (r.firstChunkAt !== undefined) ttfc.push(r.firstChunkAt - r.sentAt);
    if (r.firstAnswerTokenAt !== undefined) ttfat.push(r.firstAnswerTokenAt - r.sentAt);
    let requestTpot: number | undefined;
    let requestTtft: number | undefined;
    if (r.firstTokenAt !== undefined) {
      requestTtft = r.firstTokenAt - r.sentAt;
      ttft.push(requestTtft);
      if (r.scheduledAt !== undefined) ttftScheduled.push(r.firstTokenAt - r.scheduledAt);
      if (r.outputTokens > 1) {
        requestTpot = (e2e - requestTtft) / (r.outputTokens - 1);
        tpot.push(requestTpot);
      }
    }
    for (let i = 0; i < r.chunkTimes.length; i++) {
      const at = r.chunkTimes[i] as number;
      const tokens = r.chunkTokens[i] ?? 0;
      tokensPerChunk.push(tokens);
      const window = Math.floor((at - start) / 1000);
      while (windows.length <= window) windows.push(0);
      windows[window] = (windows[window] as number) + tokens;
      if (i === 0) continue;
      const gap = at - (r.chunkTimes[i - 1] as number);
      interChunk.push(gap);
      for (let k = 0; k < tokens; k++) interToken.push(gap / tokens);
    }
    const t = r.serverTimings;
    const serverMs =
      t?.totalMs ??
      (t?.promptMs !== undefined || t?.completionMs !== undefined
        ? (t.promptMs ?? 0) + (t.completionMs ?? 0)
        : undefined);
    if (serverMs !== undefined) {
      serverTotal.push(serverMs);
      drift.push(e2e - serverMs);
    }
    if (
      slo !== undefined &&
      (slo.ttftMs === undefined || (requestTtft !== undefined && requestTtft <= slo.ttftMs)) &&
      (slo.tpotMs === undefined || requestTpot === undefined || requestTpot <= slo.tpotMs) &&
      (slo.e2eMs === undefined || e2e <= slo.e2eMs)
    ) {
      good++;
    }
  }

  const stats: LevelStats = {
    completed: ok.length,
    failed: records.length - ok.length,
    errors,
    httpStatuses,
    durationS: durationMs / 1000,
    totalInputTokens: inputTokens,
    totalOutputTokens: outputTokens,
    requestThroughput: perSecond(ok.length),
    outputThroughput: perSecond(outputTokens),
    totalTokenThroughput: perSecond(inputTokens + outputTokens),
    // A run shorter than a second has no full window: its busiest window is the whole run.
    maxOutputTokensPerS:
      durationMs >= 1000
        ? peakTokensInOneSecond(ok)
        : (peakTokensInOneSecond(ok, durationMs) * 1000) / Math.max(durationMs, 1e-3),
    maxConcurrentRequests: peakConcurrency(records),
    outputTokensPerSecond: windows,
    usageSources,
    chunkTokenSources,
    invalid: false,
    warnings: [],
  };
  if (slo !== undefined && Object.keys(slo).length > 0) {
    stats.requestGoodput = perSecond(good);
    stats.goodFraction = records.length === 0 ? 0 : good / records.length;
  }
  put(stats, "ttft", dist(ttft));
  put(stats, "ttfat", dist(ttfat));
  put(stats, "ttfc", dist(ttfc));
  put(stats, "tpot", dist(tpot));
  put(stats, "interChunk", dist(interChunk));
  put(stats, "interToken", dist(interToken));
  put(stats, "tokensPerChunk", dist(tokensPerChunk));
  put(stats, "e2el", dist(e2el));
  const serverTotalDist = dist(serverTotal);
  const driftDist = dist(drift);
  if (serverTotalDist !== undefined && driftDist !== undefined) {
    stats.serverTimings = {
      requests: serverTotal.length,
      serverTotalMs: serverTotalDist,
      driftMs: driftDist,
    };
  }
  if (options.openLoop === true) {
    const lag = dist(
      records.filter((r) => r.scheduledAt !== undefined).map((r) => r.sentAt - (r.scheduledAt as number)),
    );
    if (lag !== undefined) {
      const ttftFromScheduled = dist(ttftScheduled);
      const e2elFromScheduled = dist(e2elScheduled);
      stats.openLoop = {
        scheduleLag: lag,
        ...(ttftFromScheduled === undefined ? {} : { ttftFromScheduled }),
        ...(e2elFromScheduled === undefined ? {} : { e2elFromScheduled }),
      };
      if (lag.p99 > MAX_P99_LAG_MS) {
        stats.invalid = true;
        stats.warnings.push(
          `INVALID RUN: the client sent requests late (schedule lag p99 ${lag.p99.toFixed(1)} ms > ${MAX_P99_LAG_MS} ms), so latencies measure the client's queueing; lower the request rate or run the client on a less loaded machine`,
        );
      }
    }
  }
  if (options.client !== undefined) {
    stats.client = options.client;
    const { cpuPercent, eventLoopDelayMs } = options.client;
    if (cpuPercent > SATURATION_CPU_PERCENT || eventLoopDelayMs.p99 > SATURATION_LOOP_DELAY_MS) {
      stats.warnings.push(
        `The benchmark client neared saturation (CPU ${cpuPercent.toFixed(0)}% of a core, event-loop delay p99 ${eventLoopDelayMs.p99.toFixed(1)} ms: it was busy or starved of CPU): its timestamps may be late by up to that delay`,
      );
    }
  }
  const load = options.client?.loadAverage;
  const cores = options.client?.cores;
  if (load !== undefined && cores !== undefined && load > cores) {
    stats.warnings.push(
      `The machine was oversubscribed (load average ${load.toFixed(1)} on ${cores} cores): the client and a local server wait for a core, so latencies include that wait`,
    );
  }
  const usageOther = Object.keys(usageSources).filter((s) => s !== "server" && s !== "engine");
  if (usageOther.length > 0) {
    stats.warnings.push(
      `Token counts of ${usageOther.map((s) => `${usageSources[s as UsageSource]} request(s)`).join(" and ")} are ${usageOther.join("/")}-based, not server-reported: the server sent no usage`,
    );
  }
  return stats;
}

/** The most tokens that arrived within any span of `windowMs` (1,000 ms): a sliding window over every chunk. */
export function peakTokensInOneSecond(
  records: readonly Pick<BenchRecord, "chunkTimes" | "chunkTokens">[],
  windowMs = 1000,
): number {
  const arrivals: [number, number][] = [];
  for (const r of records) {
    for (let i = 0; i < r.chunkTimes.length; i++)
      arrivals.push([r.chunkTimes[i] as number, r.chunkTokens[i] ?? 0]);
  }
  arrivals.sort((a, b) => a[0] - b[0]);
  let peak = 0;
  let inWindow = 0;
  let first = 0;
  for (const [at, tokens] of arrivals) {
    inWindow += tokens;
    // A window of exactly `windowMs` holds both its ends (a whole run fits a window of its duration).
    while ((arrivals[first] as [number, number])[0] < at - windowMs)
      inWindow -= (arrivals[first++] as [number, number])[1];
    if (inWindow > peak) peak = inWindow;
  }
  return peak;
}

/** The most requests in flight at once: a sweep over send (+1) and end (−1) times. */
export function peakConcurrency(records: readonly Pick<BenchRecord, "sentAt" | "endAt">[]): number {
  const edges: [number, number][] = [];
  for (const r of records) edges.push([r.sentAt, 1], [r.endAt, -1]);
  // Ends before starts at the same instant: back-to-back requests on one worker are not concurrent.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    running += delta;
    if (running > peak) peak = running;
  }
  return peak;
}
