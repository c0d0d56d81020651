/**
 * What every reported figure means, stated once and printed with the numbers: in `--help`, the
 * JSON report (`definitions`), the HTML report and the README.
 */
export const DEFINITIONS: readonly (readonly [string, string])[] = [
  [
    "TTFT",
    "time to first token: request sent → first chunk carrying a content or reasoning token (the role-only chunk never counts; vLLM's corrected definition). JSON: *_ttft_ms",
  ],
  [
    "TTFAT",
    "time to first answer token: request sent → first chunk carrying a non-reasoning token. JSON: *_ttfat_ms",
  ],
  [
    "TTFC",
    "time to first chunk: request sent → first protocol chunk of any kind, role-only included. JSON: *_ttfc_ms",
  ],
  [
    "TPOT",
    "time per output token after the first, per request: (E2E − TTFT) / (output tokens − 1), requests with ≥ 2 tokens (vLLM's). JSON: *_tpot_ms",
  ],
  [
    "ITL (inter-chunk)",
    "gaps between consecutive token-carrying chunks, pooled over requests: what vLLM calls ITL. JSON: *_itl_ms and *_inter_chunk_ms (same values)",
  ],
  [
    "inter-token",
    "per-token latency: a chunk of k tokens after a gap g counts k times as g/k; equals inter-chunk when every chunk is one token. JSON: *_inter_token_ms",
  ],
  [
    "tokens/chunk",
    "tokens per token-carrying chunk: exact when the token count equals the chunk count, otherwise apportioned by characters (labelled in chunk_token_sources)",
  ],
  ["E2E", "request sent → last event (after data: [DONE] / the final line). JSON: *_e2el_ms"],
  [
    "failed",
    "no response, an HTTP error, a timeout, an error inside a 200 stream, or a stream without a finish reason or (OpenAI SSE) data: [DONE]; failed requests count in no latency and their tokens in no throughput",
  ],
  [
    "throughput",
    "successful requests (request_throughput) and their output tokens (output_throughput) ÷ duration, first send to last end; max_output_tokens_per_s is the busiest 1-second span of token arrivals (the whole run when it is shorter)",
  ],
  [
    "goodput",
    "successful requests meeting every SLO ÷ duration (request_goodput); good_fraction = those ÷ all requests, failed ones included",
  ],
  [
    "tokens",
    "server-reported usage first; counted chunks or a ~4 chars/token estimate only when the server sent none, and labelled (usage_sources)",
  ],
  [
    "open loop (rate levels)",
    "requests are sent on a seeded schedule without waiting; *_from_scheduled_ms measure from the scheduled time (they include the client's own lateness), schedule_lag = actual − scheduled send; a p99 lag above 10 ms marks the run INVALID",
  ],
  [
    "client",
    "the benchmark's own CPU (% of one core) and event-loop delay; above 80% or 10 ms p99 it warns that it neared saturation",
  ],
  [
    "percentiles",
    "p50/p90/p95/p99 interpolate linearly between ranks (numpy's default, as vLLM); std is the population standard deviation",
  ],
];

/** The definitions as indented text lines, for `--help` and the end of the table. */
export function definitionsText(
  indent = "  ",
  definitions: ReadonlyArray<readonly [string, string]> = DEFINITIONS,
): string {
  const width = Math.max(...definitions.map(([name]) => name.length));
  return definitions.map(([name, text]) => `${indent}${name.padEnd(width)}  ${text}`).join("\n");
}
