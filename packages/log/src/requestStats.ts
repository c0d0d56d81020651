import type { Database } from "better-sqlite3";
import type { LogDatabase } from "./LogDatabase.js";
import { percentile } from "./percentile.js";
import { type RequestFilter, whereClause } from "./queryLogs.js";

/**
 * Aggregates for one (model, endpoint) pair. Percentiles are exact (see {@link percentile}) over the
 * requests that reached that moment: TTFT over requests that got a first token, TPOT and tokens/s
 * over those with at least two tokens. Fields are left out when no request qualifies.
 */
export interface RequestStats {
  model: string;
  host: string;
  count: number;
  /** Requests that failed (error code other than `aborted`). */
  errors: number;
  /** Requests the user aborted; not counted as errors. */
  aborted: number;
  /** `errors / count`, 0–1. */
  errorRate: number;
  ttftP50Ms?: number;
  ttftP95Ms?: number;
  ttftP99Ms?: number;
  tpotP50Ms?: number;
  tokensPerSecondP50?: number;
  /** Sums over all the requests. */
  promptTokens: number;
  completionTokens: number;
}

interface Group {
  model: string;
  host: string;
  count: number;
  errors: number;
  aborted: number;
  ttft: number[];
  tpot: number[];
  tokensPerSecond: number[];
  promptTokens: number;
  completionTokens: number;
}

/**
 * Statistics grouped by requested model and endpoint host, busiest first. Rows are read one at a
 * time; memory grows with the number of selected requests (three numbers each), so narrow large
 * logs with `since`.
 *
 * @example
 * ```ts
 * requestStats(openLogDatabase(defaultLogPath()), { since: "1d" });
 * ```
 */
export function requestStats(database: LogDatabase, filter: RequestFilter = {}): RequestStats[] {
  const db = database as unknown as Database;
  const { where, params } = whereClause(filter);
  const statement = db.prepare(
    `SELECT model, host, error_code, ttft_ms, tpot_ms, tokens_per_second, prompt_tokens, completion_tokens
     FROM requests ${where}`,
  );
  const groups = new Map<string, Group>();
  for (const row of statement.iterate(params) as Iterable<Record<string, string | number | null>>) {
    const model = String(row.model);
    const host = String(row.host);
    // JSON keeps the pair unambiguous whatever characters the names hold.
    const key = JSON.stringify([model, host]);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        model,
        host,
        count: 0,
        errors: 0,
        aborted: 0,
        ttft: [],
        tpot: [],
        tokensPerSecond: [],
        promptTokens: 0,
        completionTokens: 0,
      };
      groups.set(key, group);
    }
    group.count++;
    if (row.error_code === "aborted") group.aborted++;
    else if (row.error_code !== null) group.errors++;
    if (row.ttft_ms !== null) group.ttft.push(Number(row.ttft_ms));
    if (row.tpot_ms !== null) group.tpot.push(Number(row.tpot_ms));
    if (row.tokens_per_second !== null) group.tokensPerSecond.push(Number(row.tokens_per_second));
    group.promptTokens += Number(row.prompt_tokens);
    group.completionTokens += Number(row.completion_tokens);
  }
  const stats: RequestStats[] = [];
  for (const group of groups.values()) {
    const ttft = group.ttft.sort(ascending);
    const tpot = group.tpot.sort(ascending);
    const tokensPerSecond = group.tokensPerSecond.sort(ascending);
    const entry: RequestStats = {
      model: group.model,
      host: group.host,
      count: group.count,
      errors: group.errors,
      aborted: group.aborted,
      errorRate: group.errors / group.count,
      promptTokens: group.promptTokens,
      completionTokens: group.completionTokens,
    };
    const set = (
      field: "ttftP50Ms" | "ttftP95Ms" | "ttftP99Ms" | "tpotP50Ms" | "tokensPerSecondP50",
      value: number | undefined,
    ) => {
      if (value !== undefined) entry[field] = value;
    };
    set("ttftP50Ms", percentile(ttft, 50));
    set("ttftP95Ms", percentile(ttft, 95));
    set("ttftP99Ms", percentile(ttft, 99));
    set("tpotP50Ms", percentile(tpot, 50));
    set("tokensPerSecondP50", percentile(tokensPerSecond, 50));
    stats.push(entry);
  }
  return stats.sort(
    (a, b) => b.count - a.count || a.model.localeCompare(b.model) || a.host.localeCompare(b.host),
  );
}

function ascending(a: number, b: number): number {
  return a - b;
}
