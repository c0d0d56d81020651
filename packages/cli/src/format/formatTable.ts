/** How {@link formatTable} lays out a table. */
export interface FormatTableOptions {
  /** Per column: `left` pads after the text, `right` before it (numbers). @defaultValue every column left */
  align?: readonly ("left" | "right")[];
  /**
   * Styles a cell after it was padded (e.g. colours), so escape codes never count towards the width.
   * `row` 0 is the first row given (usually the header).
   */
  style?: (text: string, row: number, column: number) => string;
}

/**
 * The rows as aligned text columns, two spaces apart, one line per row without trailing spaces.
 * Widths are measured in UTF-16 code units: the cells are ASCII-like (names, paths, figures). Every
 * table the CLI prints (models, logs, bench) goes through it.
 *
 * @example
 * ```ts
 * formatTable([["MODEL", "SIZE"], ["stories260K", "1.2 MB"]], { align: ["left", "right"] });
 * // ["MODEL          SIZE", "stories260K  1.2 MB"]
 * ```
 */
export function formatTable(
  rows: readonly (readonly string[])[],
  options: FormatTableOptions = {},
): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => (row[column] ?? "").length)),
  );
  return rows.map((row, r) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        const padded = options.align?.[column] === "right" ? cell.padStart(width) : cell.padEnd(width);
        return options.style === undefined ? padded : options.style(padded, r, column);
      })
      .join("  ")
      .trimEnd(),
  );
}
