import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChatStream } from "llmstream";
import { type Arrivals, arrivalTimes } from "./arrivalTimes.js";
import type { BenchRecord } from "./BenchRecord.js";
import { createRequestRecorder } from "./createRequestRecorder.js";
import { createStartGate } from "./createStartGate.js";
import { monitorClient } from "./monitorClient.js";
import type { BenchPrompt } from "./prompts.js";
import { type LevelStats, type Slo, summarizeLevel } from "./summarizeLevel.js";

/** One request as the benchmark sends it. */
export interface SendRequest {
  prompt: BenchPrompt;
  /** False for the non-streamed comparison (`--non-streaming-too`). */
  stream: boolean;
  signal: AbortSignal;
}

/** What a sender returns: the stream, and (OpenAI SSE) whether `data: [DONE]` arrived. */
export interface SentRequest {
  stream: ChatStream;
  endMarkerSeen?: () => boolean;
}

/** Starts one request: over HTTP with `streamChat`, or in process with `streamEngineChat`. */
export type Send = (request: SendRequest) => SentRequest;

/** One load level: closed loop (`concurrency` workers back to back) or open loop (`rate` requests/s). */
export interface LevelPlan {
  mode: "concurrency" | "rate";
  value: number;
  /** Measured requests; with `durationMs` as well, whichever ends first. */
  requests?: number;
  durationMs?: number;
  /** Requests sent first and not measured (warm connections and caches). @defaultValue 0 */
  warmup?: number;
  arrivals?: Arrivals;
  burstiness?: number;
  /** Seeds the arrivals. @defaultValue 0 */
  seed?: number;
  /** @defaultValue true */
  stream?: boolean;
}

/** Options of {@link runLevel}. */
export interface RunLevelOptions {
  send: Send;
  prompts: readonly BenchPrompt[];
  slo?: Slo;
  signal?: AbortSignal;
  /** Called after each measured request ends, with how far the level is (0–1). */
  onProgress?: (progress: { done: number; fraction: number }) => void;
}

/** The measured requests of one level and their statistics. */
export interface LevelResult {
  plan: LevelPlan;
  /** The level's time origin (records' 0) as a wall-clock time, `performance.timeOrigin + performance.now()`. */
  originEpochMs: number;
  records: BenchRecord[];
  stats: LevelStats;
}

/** Requests at most per level when only a duration bounds it: bounds memory. */
const MAX_REQUESTS = 10_000_000;

/**
 * Runs one load level and measures every request through the core's `forEach` path (the listener
 * runs inside the network read, so a token is stamped when it arrived, not when a promise chain got
 * to it). Open loop: requests are sent on a seeded schedule without waiting for each other, and each
 * records when it was due and when it actually went out.
 */
export async function runLevel(plan: LevelPlan, options: RunLevelOptions): Promise<LevelResult> {
  const { send, prompts } = options;
  if (prompts.length === 0) throw new RangeError("runLevel needs at least one prompt");
  const signal = options.signal ?? new AbortController().signal;
  // Every request in flight listens on this one signal: hundreds of listeners are expected, not a leak.
  setMaxListeners(0, signal);
  const stream = plan.stream !== false;
  const warmup = plan.warmup ?? 0;
  if (warmup > 0) {
    const workers = Math.min(warmup, plan.mode === "concurrency" ? plan.value : Math.ceil(plan.value));
    await closedLoop({ ...options, signal, stream, workers, count: warmup, promptOffset: 0 }, () => {});
  }
  const monitor = monitorClient();
  const records: BenchRecord[] = [];
  const total = plan.requests ?? MAX_REQUESTS;
  const started = performance.now();
  const origin = started;
  const progress = (done: number) => {
    if (options.onProgress === undefined) return;
    const byCount = plan.requests === undefined ? 0 : done / plan.requests;
    const byTime = plan.durationMs === undefined ? 0 : (performance.now() - started) / plan.durationMs;
    options.onProgress({ done, fraction: Math.min(1, Math.max(byCount, byTime)) });
  };
  if (plan.mode === "concurrency") {
    await closedLoop(
      {
        ...options,
        signal,
        stream,
        workers: plan.value,
        count: total,
        promptOffset: warmup,
        origin,
        ...(plan.durationMs === undefined ? {} : { durationMs: plan.durationMs }),
      },
      (record) => {
        records.push(record);
        progress(records.length);
      },
    );
  } else {
    const times = arrivalTimes({
      rate: plan.value,
      ...(plan.arrivals === undefined ? {} : { arrivals: plan.arrivals }),
      ...(plan.burstiness === undefined ? {} : { burstiness: plan.burstiness }),
      seed: plan.seed ?? 0,
      ...(plan.requests === undefined ? {} : { count: plan.requests }),
      ...(plan.durationMs === undefined ? {} : { durationMs: plan.durationMs }),
    });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < times.length && !signal.aborted; i++) {
      const due = origin + (times[i] as number);
      // Timers count from the event loop's cached clock, which can lag performance.now(), so one can
      // fire up to a millisecond before its time: sleep again until the request is due, never early.
      // An abort rejects the wait at once; the loop then sees the signal.
      for (let wait = due - performance.now(); wait > 0 && !signal.aborted; wait = due - performance.now())
        await sleep(Math.ceil(wait), undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      const promptIndex = (warmup + i) % prompts.length;
      pending.push(
        measure(send, {
          prompt: prompts[promptIndex] as BenchPrompt,
          promptIndex,
          index: i,
          origin,
          scheduledAt: times[i] as number,
          stream,
          signal,
        }).then((record) => {
          records.push(record);
          progress(records.length);
        }),
      );
    }
    await Promise.all(pending);
  }
  const client = monitor.stop();
  records.sort((a, b) => a.index - b.index);
  const stats = summarizeLevel(records, {
    client,
    openLoop: plan.mode === "rate",
    ...(options.slo === undefined ? {} : { slo: options.slo }),
  });
  return { plan, originEpochMs: performance.timeOrigin + origin, records, stats };
}

interface LoopOptions extends RunLevelOptions {
  signal: AbortSignal;
  stream: boolean;
  workers: number;
  count: number;
  promptOffset: number;
  origin?: number;
  durationMs?: number;
}

/**
 * `workers` loops, each sending its next request as soon as its previous one ended. Starts go through
 * a {@link createStartGate} so that a burst of them never holds back reading the open streams.
 */
async function closedLoop(options: LoopOptions, onRecord: (record: BenchRecord) => void): Promise<void> {
  const origin = options.origin ?? performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : origin + options.durationMs;
  const gate = createStartGate();
  let next = 0;
  const more = () => next < options.count && performance.now() < deadline && !options.signal.aborted;
  const worker = async () => {
    for (;;) {
      const record = await new Promise<BenchRecord | undefined>((resolve) =>
        gate(() => {
          // Checked when the start runs, not when it was queued: the deadline may have passed meanwhile.
          if (!more()) {
            resolve(undefined);
            return;
          }
          const index = next++;
          const promptIndex = (options.promptOffset + index) % options.prompts.length;
          // measure() sends synchronously (up to the request's write), so the gate's budget counts it.
          void measure(options.send, {
            prompt: options.prompts[promptIndex] as BenchPrompt,
            promptIndex,
            index,
            origin,
            stream: options.stream,
            signal: options.signal,
          }).then(resolve);
        }),
      );
      if (record === undefined) return;
      onRecord(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, worker));
}

/** Sends one request and records it; never rejects (a failure is a record with `ok: false`). */
async function measure(
  send: Send,
  request: {
    prompt: BenchPrompt;
    promptIndex: number;
    index: number;
    origin: number;
    scheduledAt?: number;
    stream: boolean;
    signal: AbortSignal;
  },
): Promise<BenchRecord> {
  const { origin } = request;
  const sentAt = performance.now() - origin;
  const recorder = createRequestRecorder({
    index: request.index,
    prompt: request.promptIndex,
    sentAt,
    ...(request.scheduledAt === undefined ? {} : { scheduledAt: request.scheduledAt }),
  });
  let lastAt = sentAt;
  try {
    const sent = send({ prompt: request.prompt, stream: request.stream, signal: request.signal });
    const result = await sent.stream.forEach((event) => {
      lastAt = performance.now() - origin;
      recorder.event(event, lastAt);
    });
    const seen = sent.endMarkerSeen?.();
    // The end is the last event (`done`, right after the end marker was decoded).
    return recorder.finish({ endAt: lastAt, result, ...(seen === undefined ? {} : { endMarkerSeen: seen }) });
  } catch (error) {
    return recorder.finish({ endAt: Math.max(lastAt, performance.now() - origin), error });
  }
}
