import type { ChatResult } from "llmstream";

/** What the figures under an answer are made of: the final result, or live counts while it streams. */
export interface StatsInput {
  /** The final (or partial) result, when the stream has ended. */
  result?: Pick<ChatResult, "usage" | "metrics" | "serverTimings" | "finishReason">;
  /** While streaming: milliseconds from the request start to the first token, if it came. */
  liveTtftMs?: number;
  /** While streaming: text and reasoning events received so far (a token count for most servers). */
  liveChunks?: number;
  /** While streaming: milliseconds since the request started. */
  liveElapsedMs?: number;
}

const SOURCE_LABEL = {
  server: "from the server",
  engine: "counted by the engine",
  chunks: "counted from chunks",
  estimate: "estimated",
} as const;

const ms = (value: number) =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
const rate = (value: number) => `${value >= 100 ? Math.round(value) : value.toFixed(1)} tok/s`;

/** The figures under an answer, as short labelled parts (joined with " · " on the page). */
export function formatStats(input: StatsInput): string[] {
  const { result } = input;
  if (result === undefined) {
    const parts: string[] = [];
    if (input.liveTtftMs !== undefined) parts.push(`TTFT ${ms(input.liveTtftMs)}`);
    else parts.push("waiting for the first token…");
    if (input.liveChunks !== undefined && input.liveChunks > 0)
      parts.push(`${input.liveChunks} chunks so far`);
    if (input.liveElapsedMs !== undefined) parts.push(`${ms(input.liveElapsedMs)} elapsed`);
    return parts;
  }
  const { usage, metrics, serverTimings } = result;
  const parts: string[] = [];
  parts.push(metrics.ttftMs === undefined ? "no token" : `TTFT ${ms(metrics.ttftMs)}`);
  parts.push(`${usage.completionTokens} tokens (${SOURCE_LABEL[usage.source]})`);
  if (metrics.tokensPerSecond !== undefined) parts.push(rate(metrics.tokensPerSecond));
  parts.push(`${ms(metrics.e2eMs)} total`);
  if (serverTimings !== undefined) {
    const server: string[] = [];
    if (serverTimings.promptMs !== undefined) server.push(`prompt ${ms(serverTimings.promptMs)}`);
    if (serverTimings.completionTokensPerSecond !== undefined)
      server.push(rate(serverTimings.completionTokensPerSecond));
    if (serverTimings.totalMs !== undefined) server.push(`${ms(serverTimings.totalMs)} total`);
    if (server.length > 0) parts.push(`server: ${server.join(", ")}`);
  }
  if (result.finishReason === "aborted") parts.push("stopped");
  else if (result.finishReason === "length") parts.push("cut at the token limit");
  return parts;
}
