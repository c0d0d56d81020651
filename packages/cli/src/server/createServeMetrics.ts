import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Backend } from "./Backend.js";

/** Seconds buckets for TTFT and end-to-end time (the OTel GenAI recommendation, trimmed). */
const latencyBuckets = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60,
];
const tokenTimeBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5,
];

/** What one finished request tells the metrics. */
export interface RequestObservation {
  endpoint: string;
  /** The HTTP status sent (200 for a stream, even one that ended with an in-band error). */
  status: number;
  /** `ok`, `error` (HTTP or in-band) or `aborted`. */
  outcome: "ok" | "error" | "aborted";
  upstream?: string;
  ttftMs?: number;
  tpotMs?: number;
  e2eMs: number;
  promptTokens?: number;
  completionTokens?: number;
}

/** The server's Prometheus metrics, in their own registry (never the global one). */
export interface ServeMetrics {
  registry: Registry;
  observe(observation: RequestObservation): void;
}

/**
 * `/metrics` with prom-client: requests by endpoint/status/outcome, TTFT, TPOT and e2e histograms,
 * tokens, in-flight per upstream and queue depth (both read from the backend at scrape time).
 */
export function createServeMetrics(backend: Backend): ServeMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "llmstream_serve_requests_total",
    help: "Requests answered, by endpoint, HTTP status and outcome",
    labelNames: ["endpoint", "status", "outcome"],
    registers: [registry],
  });
  const ttft = new Histogram({
    name: "llmstream_serve_time_to_first_token_seconds",
    help: "Time from request to first token",
    labelNames: ["upstream"],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const tpot = new Histogram({
    name: "llmstream_serve_time_per_output_token_seconds",
    help: "Time per output token after the first",
    labelNames: ["upstream"],
    buckets: tokenTimeBuckets,
    registers: [registry],
  });
  const e2e = new Histogram({
    name: "llmstream_serve_request_duration_seconds",
    help: "Time from request to the end of the answer",
    labelNames: ["upstream"],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "llmstream_serve_tokens_total",
    help: "Tokens processed, by kind (prompt or completion)",
    labelNames: ["kind"],
    registers: [registry],
  });
  new Gauge({
    name: "llmstream_serve_in_flight",
    help: "Requests being generated, per upstream (relay) or for the engine",
    labelNames: ["upstream"],
    registers: [registry],
    collect() {
      for (const [name, count] of Object.entries(backend.inFlight())) this.set({ upstream: name }, count);
    },
  });
  new Gauge({
    name: "llmstream_serve_queue_depth",
    help: "Requests waiting for an engine slot",
    registers: [registry],
    collect() {
      this.set(backend.queueDepth());
    },
  });
  return {
    registry,
    observe(o) {
      requests.inc({ endpoint: o.endpoint, status: String(o.status), outcome: o.outcome });
      const upstream = o.upstream ?? backend.kind;
      if (o.outcome === "ok") {
        if (o.ttftMs !== undefined) ttft.observe({ upstream }, o.ttftMs / 1000);
        if (o.tpotMs !== undefined) tpot.observe({ upstream }, o.tpotMs / 1000);
      }
      e2e.observe({ upstream }, o.e2eMs / 1000);
      if (o.promptTokens !== undefined) tokens.inc({ kind: "prompt" }, o.promptTokens);
      if (o.completionTokens !== undefined) tokens.inc({ kind: "completion" }, o.completionTokens);
    },
  };
}
