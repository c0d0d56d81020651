import type { Token, Tokens } from "marked";
import { highlightLine } from "./highlightCode.js";
import { renderTable } from "./renderTable.js";
import {
  hardWrapSpans,
  type Line,
  prefixLines,
  type Span,
  styled,
  widthOf,
  wrapSpans,
} from "./styledLines.js";

const entities: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};
const decode = (text: string) =>
  text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);

/** Inline tokens (emphasis, code, links…) as styled spans. Soft line breaks become spaces. */
export function renderInline(tokens: Token[] | undefined, sgr = ""): Span[] {
  const out: Span[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "text":
        if ("tokens" in token && token.tokens !== undefined && token.tokens.length > 0) {
          out.push(...renderInline(token.tokens, sgr));
        } else out.push({ text: decode(token.text).replace(/\n/g, " "), sgr });
        break;
      case "strong":
        out.push(...renderInline(token.tokens, join(sgr, "1")));
        break;
      case "em":
        out.push(...renderInline(token.tokens, join(sgr, "3")));
        break;
      case "del":
        out.push(...renderInline(token.tokens, join(sgr, "9")));
        break;
      case "codespan":
        out.push({ text: decode(token.text), sgr: join(sgr, "36") });
        break;
      case "br":
        out.push({ text: "\n", sgr });
        break;
      case "link": {
        const link = token as Tokens.Link;
        const label = renderInline(link.tokens, join(sgr, "4;34"));
        out.push(...label);
        const labelText = label.map((span) => span.text).join("");
        const href = link.href.replace(/^mailto:/, "");
        if (href !== labelText) out.push({ text: ` (${href})`, sgr: join(sgr, "2") });
        break;
      }
      case "image":
        out.push({ text: `[image: ${token.text}] (${(token as Tokens.Image).href})`, sgr: join(sgr, "2") });
        break;
      case "checkbox":
        out.push({ text: (token as Tokens.Checkbox).checked ? "[x] " : "[ ] ", sgr });
        break;
      case "escape":
        out.push({ text: decode(token.text), sgr });
        break;
      default:
        out.push({ text: decode(token.raw).replace(/\n/g, " "), sgr });
    }
  }
  return out;
}

function join(outer: string, inner: string): string {
  return outer === "" ? inner : `${outer};${inner}`;
}

const headingStyles = ["1;4;35", "1;35", "1;34", "1", "1", "1"];
const bullets = ["•", "◦", "▪"];

interface Context {
  listDepth: number;
}

/**
 * Renders one block token to lines at most `width` columns wide (tables too narrow to fit may be
 * wider). `space` and `def` tokens render to no lines.
 */
export function renderBlock(token: Token, width: number, context: Context = { listDepth: 0 }): Line[] {
  switch (token.type) {
    case "space":
    case "def":
      return [];
    case "paragraph":
    case "text":
      return wrapSpans(inlineOf(token), width);
    case "heading": {
      const heading = token as Tokens.Heading;
      const marker = `${"#".repeat(heading.depth)} `;
      const sgr = headingStyles[heading.depth - 1] ?? "1";
      const lines = wrapSpans(renderInline(heading.tokens, sgr), width - marker.length);
      return prefixLines(lines, [{ text: marker, sgr }], [{ text: " ".repeat(marker.length), sgr: "" }]);
    }
    case "code": {
      return renderCode(token as Tokens.Code, width);
    }
    case "blockquote": {
      const inner = renderBlocks((token as Tokens.Blockquote).tokens, width - 2, context);
      const bar = [{ text: "│ ", sgr: "2" }];
      return prefixLines(inner, bar, bar);
    }
    case "list":
      return renderList(token as Tokens.List, width, context);
    case "table":
      return renderTable(token as Tokens.Table, width, renderInline);
    case "hr":
      return [{ spans: [{ text: "─".repeat(Math.max(1, width)), sgr: "2" }], width: Math.max(1, width) }];
    case "html":
      return wrapSpans([{ text: token.raw.replace(/\n+$/, ""), sgr: "2" }], width);
    default:
      return wrapSpans([{ text: token.raw.replace(/\n+$/, ""), sgr: "" }], width);
  }
}

// Rendered code lines by language, width and text: a growing code block is redrawn on every token,
// and all but its last line are unchanged. Bounded: cleared when it reaches the limit.
const codeLines = new Map<string, Line[]>();
const maxCachedCodeLines = 2048;
const indent: Span[] = [{ text: "  ", sgr: "" }];

function renderCodeLine(line: string, language: string | undefined, width: number): Line[] {
  const key = `${language ?? ""}\u0000${width}\u0000${line}`;
  const cached = codeLines.get(key);
  if (cached !== undefined) return cached;
  const spans = highlightLine(line.replace(/\t/g, "    "), language);
  const lines = prefixLines(hardWrapSpans(spans, width - 2), indent, indent);
  if (codeLines.size >= maxCachedCodeLines) codeLines.clear();
  codeLines.set(key, lines);
  return lines;
}

// The last code block rendered, line by line: a growing block only adds to its last line, so the
// complete lines before it are reused without even being split again.
let lastCode: { language: string; width: number; stable: string; lines: Line[][] } | undefined;

function renderCode(code: Tokens.Code, width: number): Line[] {
  const language = code.lang ?? "";
  const reuse =
    lastCode !== undefined &&
    lastCode.language === language &&
    lastCode.width === width &&
    code.text.startsWith(lastCode.stable)
      ? lastCode
      : undefined;
  const done = reuse?.lines ?? [];
  const stable = reuse?.stable ?? "";
  const perLine = done.slice();
  for (const line of code.text.slice(stable.length).split("\n"))
    perLine.push(renderCodeLine(line, language, width));
  const cut = code.text.lastIndexOf("\n") + 1;
  lastCode = { language, width, stable: code.text.slice(0, cut), lines: perLine.slice(0, -1) };
  return perLine.flat();
}

function inlineOf(token: Token): Span[] {
  if ("tokens" in token && token.tokens !== undefined) return renderInline(token.tokens);
  return [{ text: decode("text" in token ? String(token.text) : token.raw), sgr: "" }];
}

/** Renders blocks with one blank line between them (blocks that render to nothing take no space). */
export function renderBlocks(tokens: Token[], width: number, context: Context = { listDepth: 0 }): Line[] {
  const out: Line[] = [];
  for (const token of tokens) {
    const lines = renderBlock(token, width, context);
    if (lines.length === 0) continue;
    if (out.length > 0) out.push({ spans: [], width: 0 });
    out.push(...lines);
  }
  return out;
}

function renderList(list: Tokens.List, width: number, context: Context): Line[] {
  const start = typeof list.start === "number" ? list.start : 1;
  const markers = list.items.map((_, i) =>
    list.ordered ? `${start + i}.` : (bullets[context.listDepth % bullets.length] ?? "•"),
  );
  const markerWidth = Math.max(...markers.map(widthOf)) + 1;
  const inner: Context = { listDepth: context.listDepth + 1 };
  const out: Line[] = [];
  list.items.forEach((item, i) => {
    if (i > 0 && list.loose) out.push({ spans: [], width: 0 });
    const lines: Line[] = [];
    let pending: Span[] = [];
    for (const token of item.tokens) {
      if (token.type === "checkbox") {
        pending = renderInline([token]);
        continue;
      }
      if (token.type === "space") {
        if (item.loose && lines.length > 0) lines.push({ spans: [], width: 0 });
        continue;
      }
      if (token.type === "text" || token.type === "paragraph") {
        lines.push(...wrapSpans([...pending, ...inlineOf(token)], width - markerWidth));
      } else lines.push(...renderBlock(token, width - markerWidth, inner));
      pending = [];
    }
    if (lines.length === 0)
      lines.push({ spans: pending, width: widthOf(pending.map((s) => s.text).join("")) });
    const marker = markers[i] ?? "";
    out.push(
      ...prefixLines(
        lines,
        [{ text: marker.padEnd(markerWidth - widthOf(marker) + marker.length), sgr: "33" }],
        [{ text: " ".repeat(markerWidth), sgr: "" }],
      ),
    );
  });
  return out;
}

/** Styles every span of the lines (used for table headers). */
export function styleLines(lines: Line[], sgr: string): Line[] {
  return lines.map((line) => ({ spans: styled(line.spans, sgr), width: line.width }));
}
