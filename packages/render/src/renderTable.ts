import type { Token, Tokens } from "marked";
import { type Line, type Span, styled, wrapSpans } from "./styledLines.js";

type InlineRenderer = (tokens: Token[] | undefined, sgr?: string) => Span[];

/**
 * Renders a GFM table with box-drawing borders and aligned columns. When the natural widths do not
 * fit, the widest columns shrink (down to 3 columns each) and their cells wrap.
 */
export function renderTable(table: Tokens.Table, width: number, inline: InlineRenderer): Line[] {
  const columns = table.header.length;
  const header = table.header.map((cell) => styled(inline(cell.tokens), "1"));
  const rows = table.rows.map((row) => row.map((cell) => inline(cell.tokens)));
  const natural = (spans: Span[]) =>
    Math.max(1, ...wrapSpans(spans, Number.MAX_SAFE_INTEGER).map((l) => l.width));
  const widths = header.map((cell, c) =>
    Math.max(natural(cell), ...rows.map((row) => natural(row[c] ?? []))),
  );
  const available = width - (3 * columns + 1);
  while (widths.reduce((a, b) => a + b, 0) > available) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= 3) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const border = (left: string, middle: string, right: string): Line => {
    const text = left + widths.map((w) => "─".repeat(w + 2)).join(middle) + right;
    return { spans: [{ text, sgr: "2" }], width: widths.reduce((a, b) => a + b + 3, 1) };
  };
  const renderRow = (cells: Span[][]): Line[] => {
    const wrapped = widths.map((w, c) => wrapSpans(cells[c] ?? [], w));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    const out: Line[] = [];
    for (let r = 0; r < height; r++) {
      const spans: Span[] = [{ text: "│", sgr: "2" }];
      widths.forEach((w, c) => {
        const line = wrapped[c]?.[r] ?? { spans: [], width: 0 };
        const gap = Math.max(0, w - line.width);
        const align = table.align[c];
        const left = align === "right" ? gap : align === "center" ? Math.floor(gap / 2) : 0;
        spans.push({ text: " ".repeat(left + 1), sgr: "" }, ...line.spans);
        spans.push({ text: " ".repeat(gap - left + 1), sgr: "" }, { text: "│", sgr: "2" });
      });
      out.push({ spans, width: widths.reduce((a, b) => a + b + 3, 1) });
    }
    return out;
  };
  return [
    border("┌", "┬", "┐"),
    ...renderRow(header),
    border("├", "┼", "┤"),
    ...rows.flatMap(renderRow),
    border("└", "┴", "┘"),
  ];
}
