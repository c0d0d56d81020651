import type { Slo } from "./summarizeLevel.js";

const KEYS: Record<string, keyof Slo> = { ttft: "ttftMs", tpot: "tpotMs", e2e: "e2eMs", e2el: "e2eMs" };

/**
 * Parses `--slo ttft=500ms,tpot=50ms,e2e=10s` (also `ttft:500`, vLLM's `--goodput` form, where a bare
 * number is milliseconds). Throws a `RangeError` naming the bad part.
 *
 * @example
 * ```ts
 * parseSlo("ttft=500ms,e2e=10s"); // { ttftMs: 500, e2eMs: 10000 }
 * ```
 */
export function parseSlo(text: string): Slo {
  const slo: Slo = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const match = /^([a-z0-9]+)\s*[=:]\s*([0-9]*\.?[0-9]+)\s*(ms|s)?$/i.exec(part);
    const key = match === null ? undefined : KEYS[(match[1] as string).toLowerCase()];
    if (match === null || key === undefined) {
      throw new RangeError(
        `Bad SLO "${part}": write name=value pairs such as ttft=500ms,tpot=50ms,e2e=10s (names: ttft, tpot, e2e)`,
      );
    }
    const value = Number(match[2]);
    slo[key] = match[3]?.toLowerCase() === "s" ? value * 1000 : value;
  }
  return slo;
}
