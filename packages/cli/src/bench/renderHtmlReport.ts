import { DEFINITIONS } from "./definitions.js";
import { formatReport, levelLabel } from "./formatReport.js";
import type { BenchRun } from "./runBench.js";
import type { LevelResult } from "./runLevel.js";
import { isInvalidRun, runWarnings } from "./runVerdict.js";
import type { Slo } from "./summarizeLevel.js";
import { escapeHtml, histogram, lineChart, timeChart } from "./svgCharts.js";
import type { RunInfo } from "./toJsonReport.js";

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#111827}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}.chart{width:100%;max-width:640px;display:block;margin:1rem 0;font-size:11px}
.chart .title{font-weight:600;font-size:13px}.invalid{background:#fee2e2;border:2px solid #dc2626;padding:.75rem;font-weight:700}
.warn{background:#fef3c7;padding:.5rem .75rem;margin:.25rem 0}pre{background:#f3f4f6;padding:1rem;overflow:auto;font-size:12px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}`;

const ttftOf = (level: LevelResult) =>
  level.records
    .filter((r) => r.ok && r.firstTokenAt !== undefined)
    .map((r) => (r.firstTokenAt as number) - r.sentAt);

/**
 * The `--html` report: one self-contained file (inline CSS and SVG, no script, no CDN, no web font)
 * with latency percentiles against load, the SLO lines, a TTFT histogram, throughput over time, the
 * table and the definitions.
 */
export function renderHtmlReport(run: BenchRun, info: RunInfo & { slo?: Slo | undefined }): string {
  const labels = run.levels.map((l) => levelLabel(l.plan));
  const slo = info.slo;
  type Get = (l: LevelResult) => { p50: number; p90: number; p99: number } | undefined;
  // The --compare endpoint and the non-streamed pass join the charts as extra lines, level by level.
  const extra = (get: Get, withWhole: boolean) => [
    ...(run.compare === undefined
      ? []
      : [
          { name: "p50 compare", values: run.compare.levels.map((l) => get(l)?.p50) },
          { name: "p99 compare", values: run.compare.levels.map((l) => get(l)?.p99) },
        ]),
    ...(withWhole && run.nonStreaming !== undefined
      ? [{ name: "p50 not streamed", values: run.nonStreaming.map((l) => l.stats.e2el?.p50) }]
      : []),
  ];
  const pct = (get: Get, withWhole = false) => [
    { name: "p50", values: run.levels.map((l) => get(l)?.p50) },
    { name: "p90", values: run.levels.map((l) => get(l)?.p90) },
    { name: "p99", values: run.levels.map((l) => get(l)?.p99) },
    ...extra(get, withWhole),
  ];
  const charts = [
    lineChart({
      title: "TTFT against load",
      yUnit: "ms",
      xLabels: labels,
      series: pct((l) => l.stats.ttft, true),
      ...(slo?.ttftMs === undefined
        ? {}
        : { reference: { value: slo.ttftMs, label: `SLO ${slo.ttftMs} ms` } }),
    }),
    lineChart({
      title: "TPOT against load",
      yUnit: "ms",
      xLabels: labels,
      series: pct((l) => l.stats.tpot),
      ...(slo?.tpotMs === undefined
        ? {}
        : { reference: { value: slo.tpotMs, label: `SLO ${slo.tpotMs} ms` } }),
    }),
    lineChart({
      title: "E2E latency against load",
      yUnit: "ms",
      xLabels: labels,
      series: pct((l) => l.stats.e2el),
      ...(slo?.e2eMs === undefined ? {} : { reference: { value: slo.e2eMs, label: `SLO ${slo.e2eMs} ms` } }),
    }),
    lineChart({
      title: "Throughput against load",
      yUnit: "output tokens/s",
      xLabels: labels,
      series: [
        { name: "mean", values: run.levels.map((l) => l.stats.outputThroughput) },
        { name: "peak 1 s", values: run.levels.map((l) => l.stats.maxOutputTokensPerS) },
      ],
    }),
  ];
  const ttftSets = run.levels
    .map((l) => ({ name: levelLabel(l.plan), values: ttftOf(l) }))
    .filter((s) => s.values.length > 0);
  if (ttftSets.length > 0) {
    charts.push(
      histogram({
        title: "TTFT histogram",
        xUnit: "ms",
        sets: ttftSets,
        ...(slo?.ttftMs === undefined ? {} : { reference: { value: slo.ttftMs, label: "SLO" } }),
      }),
    );
  }
  charts.push(
    timeChart({
      title: "Output tokens per second over time",
      yUnit: "tokens/s",
      series: run.levels.map((l) => ({ name: levelLabel(l.plan), values: l.stats.outputTokensPerSecond })),
    }),
  );
  const invalid = isInvalidRun(run);
  const warnings = runWarnings(run);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>llmstream bench: ${escapeHtml(run.target)}</title><style>${STYLE}</style></head><body>
<h1>llmstream bench: ${escapeHtml(run.target)}</h1>
<p>Model <b>${escapeHtml(info.model)}</b>, backend ${escapeHtml(info.backend)}, ${escapeHtml(info.date)}, llmstream ${escapeHtml(info.version)}, seed ${info.seed}${info.arrivals === undefined ? "" : `, ${escapeHtml(info.arrivals)} arrivals`}.</p>
${invalid ? '<p class="invalid">INVALID RUN: the client could not keep the open-loop schedule (p99 lag above 10 ms); the latencies below include its own queueing.</p>' : ""}
${warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join("\n")}
<h2>Charts</h2>
${charts.join("\n")}
<h2>Table</h2>
<pre>${escapeHtml(formatReport(run))}</pre>
<h2>Definitions</h2>
<dl>${DEFINITIONS.map(([name, text]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(text)}</dd>`).join("")}</dl>
</body></html>
`;
}
