const units: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Reads a `--since` value as epoch milliseconds: a duration back from `now` (`30m`, `1h`, `2d`,
 * `1w`; units s, m, h, d, w) or an ISO 8601 date/time (`2026-11-25`, `2026-11-25T10:00:00Z`).
 *
 * @example
 * ```ts
 * parseSince("2h", Date.parse("2026-01-01T12:00:00Z")); // Date.parse("2026-01-01T10:00:00Z")
 * ```
 */
export function parseSince(value: string, now: number = Date.now()): number {
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * (units[relative[2] ?? ""] ?? 0);
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute)) {
    throw new TypeError(
      `Cannot read the time "${value}": give a duration like 30m, 1h, 2d, 1w or an ISO date like 2026-11-25T10:00:00Z`,
    );
  }
  return absolute;
}
