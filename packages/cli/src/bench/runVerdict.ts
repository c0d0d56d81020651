import type { BenchRun } from "./runBench.js";

/**
 * Whether any measured level — the target's or the `--compare` server's — was paced by the client
 * rather than the server (p99 schedule lag above the limit). One such level spoils the comparison
 * the run exists for, so every report (terminal, JSON, HTML, exit code) reads this one answer.
 */
export function isInvalidRun(run: BenchRun): boolean {
  return [...run.levels, ...(run.compare?.levels ?? [])].some((l) => l.stats.invalid);
}

/** Every distinct warning of the run: target levels, the non-streamed pass, then the compared server. */
export function runWarnings(run: BenchRun): string[] {
  const levels = [...run.levels, ...(run.nonStreaming ?? []), ...(run.compare?.levels ?? [])];
  return [...new Set(levels.flatMap((l) => l.stats.warnings))];
}
