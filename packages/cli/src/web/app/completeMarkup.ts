const MARKERS = ["**", "__", "~~", "*", "_"] as const;

/**
 * Closes the markup a growing block leaves open, so it shows as it will end instead of flashing raw
 * markers (`**bold` shows bold, `` `code `` shows as code, `[label](http://ha` shows its label). A
 * marker that opens with nothing after it yet is dropped until its text arrives. Only paragraph-like
 * blocks and the last row of a table change: code, HTML and rules are returned as they are (an open
 * code fence already renders as code), except a half-typed closing fence, which is hidden.
 *
 * A heuristic, not a parser: it only has to look right for the fraction of a second until the
 * block's real ending arrives; the finished block is always rendered from its own text.
 */
export function completeMarkup(raw: string, type: string): string {
  if (type === "code")
    return raw.replace(/\n {0,3}(`{1,}|~{1,})$/, (line, run: string) => (run.length < 3 ? "\n" : line));
  if (type === "table") {
    // Only the row being typed can be open; its cells are inline text.
    const lastLine = raw.lastIndexOf("\n") + 1;
    return raw.slice(0, lastLine) + completeInline(raw.slice(lastLine));
  }
  if (type === "paragraph") {
    // Lines starting with a pipe are a table until its delimiter row is complete: held back, so the
    // header does not flash as text and then jump into a table. A paragraph of pipes that never
    // becomes a table shows when it is finished.
    const rows = /(^|\n) {0,3}\|[^\n]*(\n {0,3}\|[^\n]*)*\n?$/.exec(raw);
    if (rows !== null) return completeInline(raw.slice(0, rows.index));
  }
  const paragraphLike = ["paragraph", "heading", "list", "blockquote", "text"];
  return paragraphLike.includes(type) ? completeInline(raw) : raw;
}

function completeInline(raw: string): string {
  let text = raw;
  // A link or image still being typed: show its label (an image: nothing) until it is complete.
  text = text.replace(/!\[[^\]\n]*\](\([^)\s]*)?$/, "");
  text = text.replace(/\[([^\]\n]*)\]\([^)\s]*$/, "$1");
  text = text.replace(/\[([^\]\n]*)\]$/, "[$1]");
  // Openers with no content after them yet (`**`, `` **` ``, `~`).
  text = text.replace(/(^|[\s(])[*_~`]+$/, "$1");
  // A closer being typed (`~~gone~`): dropped, then the whole closer is added back below.
  text = text.replace(/(\S)[*_~]+$/, "$1");
  const closers: { at: number; marker: string }[] = [];
  // An unclosed inline code span: everything after its backtick is code, emphasis inside it is not.
  let outside = text;
  const code = openCodeSpan(text);
  if (code !== undefined) {
    outside = text.slice(0, code);
    closers.push({ at: code, marker: "`" });
  }
  let rest = outside
    .replace(/`[^`]*`/g, (span) => " ".repeat(span.length))
    .replace(/^(\s*)[*_-](?=\s)/gm, "$1 ");
  for (const marker of MARKERS) {
    const positions: number[] = [];
    let index = rest.indexOf(marker);
    while (index !== -1) {
      // A lone `*` or `_` between spaces (2 * 3) is not emphasis.
      const before = rest[index - 1] ?? " ";
      const after = rest[index + marker.length] ?? "";
      if (
        !(marker.length === 1 && /\s/.test(before) && /\s/.test(after)) &&
        !(marker === "_" && /\w/.test(before))
      ) {
        positions.push(index);
      }
      index = rest.indexOf(marker, index + marker.length);
    }
    if (positions.length % 2 === 1) closers.push({ at: positions[positions.length - 1]!, marker });
    // Blank out this marker so `**` is not counted again as two `*`.
    rest = rest.split(marker).join(" ".repeat(marker.length));
  }
  if (closers.length === 0) return text;
  closers.sort((a, b) => b.at - a.at);
  // A closer must touch text: `**bold ` + `**` is not bold, so trailing spaces go after the closers.
  const trailing = /\s*$/.exec(text)![0];
  return text.slice(0, text.length - trailing.length) + closers.map((c) => c.marker).join("") + trailing;
}

/** The index of a backtick that opens a code span not yet closed, if any. */
function openCodeSpan(text: string): number | undefined {
  let open: { at: number; run: number } | undefined;
  const runs = /`+/g;
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    if (open === undefined) open = { at: match.index, run: match[0].length };
    else if (match[0].length === open.run) open = undefined;
  }
  return open?.at;
}
