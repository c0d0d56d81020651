import { formatTable } from "../format/formatTable.js";
import type { Distribution } from "./distribution.js";
import type { BenchRun } from "./runBench.js";
import type { LevelPlan, LevelResult } from "./runLevel.js";
import { isInvalidRun, runWarnings } from "./runVerdict.js";
import type { LevelStats } from "./summarizeLevel.js";

type Row = [label: string, value: (stats: LevelStats) => string];

const ms = (value: number | undefined) =>
  value === undefined
    ? "–"
    : value < 10
      ? value.toFixed(2)
      : value < 1000
        ? value.toFixed(1)
        : value.toFixed(0);
const num = (value: number | undefined, digits = 2) => (value === undefined ? "–" : value.toFixed(digits));
const pct = (d: Distribution | undefined, key: keyof Distribution) => ms(d?.[key]);

/** The label of a level: `c=8` (closed loop) or `8 req/s` (open loop). */
export function levelLabel(plan: LevelPlan): string {
  return plan.mode === "concurrency" ? `c=${plan.value}` : `${plan.value} req/s`;
}

const ROWS: Row[] = [
  ["completed / failed", (s) => `${s.completed} / ${s.failed}`],
  ["requests/s", (s) => num(s.requestThroughput)],
  ["output tokens/s", (s) => num(s.outputThroughput, 1)],
  ["  peak in 1 s", (s) => num(s.maxOutputTokensPerS, 0)],
  ["peak concurrency", (s) => String(s.maxConcurrentRequests)],
  ["TTFT ms p50", (s) => pct(s.ttft, "p50")],
  ["  p90 / p99", (s) => `${pct(s.ttft, "p90")} / ${pct(s.ttft, "p99")}`],
  ["  mean / max", (s) => `${pct(s.ttft, "mean")} / ${pct(s.ttft, "max")}`],
  ["TTFAT ms p50 (answer)", (s) => pct(s.ttfat, "p50")],
  ["TTFC ms p50 (any chunk)", (s) => pct(s.ttfc, "p50")],
  ["TPOT ms p50", (s) => pct(s.tpot, "p50")],
  ["  p90 / p99", (s) => `${pct(s.tpot, "p90")} / ${pct(s.tpot, "p99")}`],
  ["ITL inter-chunk ms p50", (s) => pct(s.interChunk, "p50")],
  ["  p90 / p99", (s) => `${pct(s.interChunk, "p90")} / ${pct(s.interChunk, "p99")}`],
  ["inter-token ms p50", (s) => pct(s.interToken, "p50")],
  ["  p99", (s) => pct(s.interToken, "p99")],
  ["tokens/chunk mean", (s) => num(s.tokensPerChunk?.mean)],
  ["E2E ms p50", (s) => pct(s.e2el, "p50")],
  ["  p90 / p99", (s) => `${pct(s.e2el, "p90")} / ${pct(s.e2el, "p99")}`],
];

const SLO_ROWS: Row[] = [
  ["goodput req/s", (s) => num(s.requestGoodput)],
  ["  good fraction", (s) => (s.goodFraction === undefined ? "–" : `${(s.goodFraction * 100).toFixed(1)}%`)],
];

const OPEN_LOOP_ROWS: Row[] = [
  ["TTFT from schedule p50", (s) => pct(s.openLoop?.ttftFromScheduled, "p50")],
  ["  p99", (s) => pct(s.openLoop?.ttftFromScheduled, "p99")],
  ["E2E from schedule p99", (s) => pct(s.openLoop?.e2elFromScheduled, "p99")],
  ["schedule lag ms p50", (s) => pct(s.openLoop?.scheduleLag, "p50")],
  ["  p99 / max", (s) => `${pct(s.openLoop?.scheduleLag, "p99")} / ${pct(s.openLoop?.scheduleLag, "max")}`],
];

const TAIL_ROWS: Row[] = [
  ["server timings: client−server ms p50", (s) => pct(s.serverTimings?.driftMs, "p50")],
  [
    "errors",
    (s) =>
      Object.entries(s.errors)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "none",
  ],
  [
    "tokens from",
    (s) =>
      Object.entries(s.usageSources)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ") || "–",
  ],
  [
    "client CPU % / loop delay p99 ms",
    (s) =>
      s.client === undefined
        ? "–"
        : `${s.client.cpuPercent.toFixed(0)} / ${ms(s.client.eventLoopDelayMs.p99)}`,
  ],
];

function table(title: string, levels: readonly LevelResult[], rows: Row[]): string {
  const header = ["", ...levels.map((l) => levelLabel(l.plan))];
  const body = rows.map(([label, value]) => [label, ...levels.map((l) => value(l.stats))]);
  return [title, ...formatTable([header, ...body], { align: labelThenFigures(header.length) })].join("\n");
}

/** A row label on the left, then figures aligned on the right. */
const labelThenFigures = (columns: number) =>
  Array.from({ length: columns }, (_, c) => (c === 0 ? "left" : "right") as "left" | "right");

function rowsFor(levels: readonly LevelResult[]): Row[] {
  const rows = [...ROWS];
  if (levels.some((l) => l.stats.goodFraction !== undefined)) rows.push(...SLO_ROWS);
  if (levels.some((l) => l.stats.openLoop !== undefined)) rows.push(...OPEN_LOOP_ROWS);
  rows.push(...TAIL_ROWS);
  if (!levels.some((l) => l.stats.serverTimings !== undefined))
    rows.splice(rows.indexOf(TAIL_ROWS[0] as Row), 1);
  return rows;
}

const change = (a: number | undefined, b: number | undefined) => {
  if (a === undefined || b === undefined) return "–";
  const diff = b - a;
  return `${diff >= 0 ? "+" : ""}${ms(diff)} (${a === 0 ? "–" : `${diff >= 0 ? "+" : ""}${((diff / a) * 100).toFixed(1)}%`})`;
};

const COMPARE_ROWS: [string, (s: LevelStats) => number | undefined][] = [
  ["TTFT ms p50", (s) => s.ttft?.p50],
  ["TTFT ms p99", (s) => s.ttft?.p99],
  ["TPOT ms p50", (s) => s.tpot?.p50],
  ["ITL inter-chunk ms p50", (s) => s.interChunk?.p50],
  ["E2E ms p50", (s) => s.e2el?.p50],
  ["E2E ms p99", (s) => s.e2el?.p99],
  ["output tokens/s", (s) => s.outputThroughput],
  ["failed", (s) => s.failed],
];

/**
 * The end-of-run report for a terminal or a file: one column per level, the warnings (an invalid
 * run first, in capitals), the non-streamed comparison and the `--compare` differences.
 */
export function formatReport(run: BenchRun): string {
  const parts: string[] = [];
  if (isInvalidRun(run))
    parts.push("!!! INVALID RUN: the client could not keep the schedule; see the warnings !!!\n");
  parts.push(table(`llmstream bench: ${run.target}`, run.levels, rowsFor(run.levels)));
  if (run.nonStreaming !== undefined) {
    const rows = run.levels.map((level, i) => {
      const whole = run.nonStreaming?.[i]?.stats.e2el?.p50;
      const first = level.stats.ttft?.p50;
      return `  ${levelLabel(level.plan).padEnd(12)} streamed TTFT p50 ${ms(first)} ms, not streamed (whole answer) p50 ${ms(whole)} ms${first !== undefined && whole !== undefined && first > 0 ? `: the first words arrive ${(whole / first).toFixed(1)}× sooner streamed` : ""}`;
    });
    parts.push(["\nPerceived latency, same prompts (nonStreamingToo):", ...rows].join("\n"));
  }
  if (run.compare !== undefined) {
    const compare = run.compare;
    parts.push(`\n${table(`compare: ${compare.target}`, compare.levels, rowsFor(compare.levels))}`);
    const header = ["difference (compare − target)", ...run.levels.map((l) => levelLabel(l.plan))];
    const rows = COMPARE_ROWS.map(([label, get]) => [
      label,
      ...run.levels.map((l, i) => {
        const other = compare.levels[i];
        return other === undefined ? "–" : change(get(l.stats), get(other.stats));
      }),
    ]);
    parts.push(`\n${formatTable([header, ...rows], { align: labelThenFigures(header.length) }).join("\n")}`);
  }
  const warnings = runWarnings(run);
  if (warnings.length > 0) parts.push(`\n${warnings.map((w) => `warning: ${w}`).join("\n")}`);
  return `${parts.join("\n")}\n`;
}
