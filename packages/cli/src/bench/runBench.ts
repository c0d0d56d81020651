import type { BenchPrompt } from "./prompts.js";
import { type LevelPlan, type LevelResult, runLevel, type Send } from "./runLevel.js";
import type { Slo } from "./summarizeLevel.js";

/** One endpoint under test. */
export interface BenchTarget {
  /** What the report calls it: a URL or `engine:<file>`. */
  label: string;
  send: Send;
}

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  target: BenchTarget;
  /** A second endpoint run on the same schedule and prompts, level by level (`--compare`). */
  compare?: BenchTarget;
  levels: readonly LevelPlan[];
  prompts: readonly BenchPrompt[];
  slo?: Slo;
  /** Also run every level with `stream: false`, same prompts (`--non-streaming-too`). */
  nonStreamingToo?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: { pass: string; level: LevelPlan; done: number; fraction: number }) => void;
}

/** Everything one `bench` run measured. */
export interface BenchRun {
  target: string;
  levels: LevelResult[];
  /** The same levels with `stream: false`, when asked for. */
  nonStreaming?: LevelResult[];
  compare?: { target: string; levels: LevelResult[] };
}

/**
 * Runs every level against the target, then (per level, so both see the same conditions in time)
 * the non-streamed pass and the comparison endpoint. Passes run one after another, never at once:
 * two loads at the same time would measure each other.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchRun> {
  const run: BenchRun = { target: options.target.label, levels: [] };
  if (options.nonStreamingToo === true) run.nonStreaming = [];
  if (options.compare !== undefined) run.compare = { target: options.compare.label, levels: [] };
  const pass = async (name: string, send: Send, level: LevelPlan) =>
    runLevel(level, {
      send,
      prompts: options.prompts,
      ...(options.slo === undefined ? {} : { slo: options.slo }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onProgress === undefined
        ? {}
        : { onProgress: (p) => options.onProgress?.({ pass: name, level, ...p }) }),
    });
  for (const level of options.levels) {
    if (options.signal?.aborted) break;
    run.levels.push(await pass(options.target.label, options.target.send, level));
    if (run.nonStreaming !== undefined && !options.signal?.aborted) {
      run.nonStreaming.push(await pass("not streamed", options.target.send, { ...level, stream: false }));
    }
    if (options.compare !== undefined && run.compare !== undefined && !options.signal?.aborted) {
      run.compare.levels.push(await pass(options.compare.label, options.compare.send, level));
    }
  }
  return run;
}
