/** Tiny inline-SVG charts for the HTML report: no library, no CDN, readable without JavaScript. */

const W = 640;
const H = 260;
const M = { top: 28, right: 16, bottom: 40, left: 56 };
const PALETTE = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#4b5563"];

/** Escapes text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);

/** A "nice" upper bound and tick step for 0..max. */
function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  return { top: Math.ceil(max / step) * step, step };
}

function frame(title: string, yUnit: string, yMax: number, xAxis: string, body: string): string {
  const { top, step } = niceScale(yMax);
  const plotH = H - M.top - M.bottom;
  const ticks: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = M.top + plotH - (v / top) * plotH;
    ticks.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}" class="chart"><text x="${M.left}" y="16" class="title">${escapeHtml(title)}</text>${ticks.join("")}<text x="14" y="${M.top + plotH / 2}" transform="rotate(-90 14 ${M.top + plotH / 2})" text-anchor="middle">${escapeHtml(yUnit)}</text>${xAxis}${body}</svg>`;
}

/** The y position of `v` on a 0..yMax axis. */
const yOf = (v: number, yMax: number) => {
  const plotH = H - M.top - M.bottom;
  return M.top + plotH - (v / niceScale(yMax).top) * plotH;
};

function referenceLine(ref: { value: number; label: string } | undefined, yMax: number): string {
  if (ref === undefined) return "";
  const y = yOf(ref.value, yMax);
  return `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#dc2626" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${W - M.right}" y="${y - 4}" text-anchor="end" fill="#dc2626">${escapeHtml(ref.label)}</text>`;
}

function legend(names: string[]): string {
  // Up to 110 px an entry, narrower when many share the row.
  const step = Math.min(110, (W - M.left - M.right) / Math.max(1, names.length));
  return names
    .map(
      (name, i) =>
        `<rect x="${M.left + i * step}" y="${H - 14}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${M.left + 14 + i * step}" y="${H - 5}">${escapeHtml(name)}</text>`,
    )
    .join("");
}

/** Lines over categorical x positions (load levels), with an optional dashed reference (the SLO). */
export function lineChart(options: {
  title: string;
  yUnit: string;
  xLabels: string[];
  series: { name: string; values: (number | undefined)[] }[];
  reference?: { value: number; label: string };
}): string {
  const { xLabels, series } = options;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const yMax = Math.max(0, ...values, options.reference?.value ?? 0);
  const plotW = W - M.left - M.right;
  const xOf = (i: number) => M.left + (xLabels.length === 1 ? plotW / 2 : (i / (xLabels.length - 1)) * plotW);
  const xAxis = xLabels
    .map(
      (label, i) =>
        `<text x="${xOf(i)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHtml(label)}</text>`,
    )
    .join("");
  const lines = series
    .map((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      const points = s.values
        .map((v, i) => (v === undefined ? undefined : `${xOf(i).toFixed(1)},${yOf(v, yMax).toFixed(1)}`))
        .filter((p) => p !== undefined);
      const dots = s.values
        .map((v, i) =>
          v === undefined
            ? ""
            : `<circle cx="${xOf(i).toFixed(1)}" cy="${yOf(v, yMax).toFixed(1)}" r="3" fill="${color}"><title>${escapeHtml(`${s.name} ${xLabels[i]}: ${fmt(v)}`)}</title></circle>`,
        )
        .join("");
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"/>${dots}`;
    })
    .join("");
  return frame(
    options.title,
    options.yUnit,
    yMax,
    xAxis,
    lines + referenceLine(options.reference, yMax) + legend(series.map((s) => s.name)),
  );
}

/** Overlaid step histograms of several sets of values, on shared bins, with an optional reference line (x). */
export function histogram(options: {
  title: string;
  xUnit: string;
  sets: { name: string; values: number[] }[];
  bins?: number;
  reference?: { value: number; label: string };
}): string {
  const all = options.sets.flatMap((s) => s.values);
  const bins = options.bins ?? 30;
  const lo = Math.min(...all, options.reference?.value ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(...all, options.reference?.value ?? Number.NEGATIVE_INFINITY);
  const span = hi > lo ? hi - lo : 1;
  const counts = options.sets.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) c[Math.min(bins - 1, Math.floor(((v - lo) / span) * bins))]!++;
    return c;
  });
  const yMax = Math.max(1, ...counts.flat());
  const plotW = W - M.left - M.right;
  const xOf = (v: number) => M.left + ((v - lo) / span) * plotW;
  const xAxis = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${M.left + f * plotW}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(lo + f * span)}</text>`,
    )
    .join("")
    .concat(
      `<text x="${W - M.right}" y="${H - M.bottom + 30}" text-anchor="end">${escapeHtml(options.xUnit)}</text>`,
    );
  const bars = counts
    .map((c, k) => {
      const color = PALETTE[k % PALETTE.length];
      let path = `M${M.left},${yOf(0, yMax)}`;
      c.forEach((n, i) => {
        const x0 = M.left + (i / bins) * plotW;
        const x1 = M.left + ((i + 1) / bins) * plotW;
        path += ` L${x0.toFixed(1)},${yOf(n, yMax).toFixed(1)} L${x1.toFixed(1)},${yOf(n, yMax).toFixed(1)}`;
      });
      path += ` L${M.left + plotW},${yOf(0, yMax)}`;
      return `<path d="${path}" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="1.5"/>`;
    })
    .join("");
  let ref = "";
  if (options.reference !== undefined) {
    const x = xOf(options.reference.value);
    ref = `<line x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}" stroke="#dc2626" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${x > W - 80 ? x - 4 : x + 4}" y="${M.top + 10}" text-anchor="${x > W - 80 ? "end" : "start"}" fill="#dc2626">${escapeHtml(options.reference.label)}</text>`;
  }
  return frame(options.title, "requests", yMax, xAxis, bars + ref + legend(options.sets.map((s) => s.name)));
}

/** Lines over a numeric x axis (seconds), one per series. */
export function timeChart(options: {
  title: string;
  yUnit: string;
  series: { name: string; values: number[] }[];
}): string {
  const n = Math.max(1, ...options.series.map((s) => s.values.length));
  const yMax = Math.max(0, ...options.series.flatMap((s) => s.values));
  const plotW = W - M.left - M.right;
  const xOf = (i: number) => M.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const step = Math.max(1, Math.ceil(n / 8));
  const xAxis: string[] = [];
  for (let i = 0; i < n; i += step)
    xAxis.push(`<text x="${xOf(i)}" y="${H - M.bottom + 16}" text-anchor="middle">${i}</text>`);
  xAxis.push(
    `<text x="${W - M.right}" y="${H - M.bottom + 30}" text-anchor="end">seconds from the level's start</text>`,
  );
  const lines = options.series
    .map(
      (s, k) =>
        `<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="2" points="${s.values.map((v, i) => `${xOf(i).toFixed(1)},${yOf(v, yMax).toFixed(1)}`).join(" ")}"/>`,
    )
    .join("");
  return frame(
    options.title,
    options.yUnit,
    yMax,
    xAxis.join(""),
    lines + legend(options.series.map((s) => s.name)),
  );
}
