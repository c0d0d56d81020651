import type { ChatResult } from "llmstream";

/**
 * The `--stats` line: `TTFT 142 ms · 87 tokens (server) · 41.2 tok/s · 2.31 s`. A figure that was
 * never measured (no token arrived, a single token) is shown as `–` rather than a made-up zero.
 */
export function formatStats(result: ChatResult): string {
  const { metrics, usage } = result;
  const ttft = metrics.ttftMs === undefined ? "TTFT –" : `TTFT ${Math.round(metrics.ttftMs)} ms`;
  const tokens = `${usage.completionTokens} ${usage.completionTokens === 1 ? "token" : "tokens"} (${usage.source})`;
  const rate =
    metrics.tokensPerSecond === undefined ? "– tok/s" : `${metrics.tokensPerSecond.toFixed(1)} tok/s`;
  const total = `${(metrics.e2eMs / 1000).toFixed(2)} s`;
  return [ttft, tokens, rate, total].join(" · ");
}
