import { createRequire } from "node:module";
import type { Attributes, Histogram, Meter, MeterProvider, Tracer, TracerProvider } from "@opentelemetry/api";
import type { FinishInfo } from "llmstream";

type OtelApi = typeof import("@opentelemetry/api");
const require = createRequire(import.meta.url);
let loadedApi: OtelApi | undefined;
/**
 * `@opentelemetry/api`, loaded when a hook first needs it: importing it took ~40 ms of every CLI start
 * here (`llmstream chat` imports this package for its request log and never records OTel). Its
 * package resolves to the same CommonJS build for `import` and `require` in Node, and its global
 * providers live on a global symbol, so an SDK registered by the application is the one seen here.
 */
const otelApi = (): OtelApi => {
  loadedApi ??= require("@opentelemetry/api") as OtelApi;
  return loadedApi;
};

/**
 * Explicit bucket boundaries the OpenTelemetry GenAI semantic conventions recommend, in seconds
 * (tokens for `tokens`).
 * @see https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/gen-ai-metrics.md
 */
export const genAiBuckets = {
  /** `gen_ai.client.token.usage`. */
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  /** `gen_ai.client.operation.*` and `gen_ai.server.request.duration`. */
  duration: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  /** `gen_ai.server.time_to_first_token`. */
  serverTimeToFirstToken: [
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
  ],
  /** `gen_ai.server.time_per_output_token`. */
  serverTimePerOutputToken: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5],
} as const;

/** Options of {@link createOtelHook} and {@link createOtelServerHook}. */
export interface OtelHookOptions {
  /** @defaultValue the global provider (`metrics.getMeterProvider()`), a no-op until an SDK registers one */
  meterProvider?: MeterProvider;
  /** @defaultValue the global provider (`trace.getTracerProvider()`), a no-op until an SDK registers one */
  tracerProvider?: TracerProvider;
  /**
   * `gen_ai.provider.name`. @defaultValue from the protocol: `openai` (also for `responses`), `ollama`, or
   * `llama.cpp` for the embedded engine
   */
  providerName?: string;
}

const instrumentationName = "llmstream";

/**
 * Makes an `onFinish` hook that records each request with the OpenTelemetry GenAI semantic
 * conventions, through `@opentelemetry/api` only: nothing happens unless the application registers
 * an SDK (or passes providers).
 *
 * Metrics (histograms with the recommended buckets, see {@link genAiBuckets}):
 * - `gen_ai.client.operation.duration` (s): every request; `error.type` on failure.
 * - `gen_ai.client.token.usage` (`{token}`, `gen_ai.token.type` = `input` | `output`): when the
 *   counts are real. Estimates are not reported, as the spec asks; with `usage.source = "chunks"`
 *   only the output count (one token per chunk) is.
 * - `gen_ai.client.operation.time_to_first_chunk` (s): time to the first protocol chunk.
 * - `gen_ai.client.operation.time_per_output_chunk` (s): one value per token-carrying chunk after
 *   the first. The client keeps gap percentiles, not every gap, so each value is the request's mean
 *   gap: the histogram's count and sum are exact, its bucket spread within a request is not. This
 *   is one histogram record per chunk at the end of the request (measured: 4.8 ms for a 1,000-chunk
 *   answer on a 2-core machine under load average 14).
 *
 * Span: `chat {model}` (kind client) from the request start to its end, with the same attributes plus
 * `gen_ai.usage.*`, `gen_ai.response.id` and `gen_ai.response.finish_reasons`, status error on failure.
 * The span is made when the request has finished, so it cannot parent spans made during it.
 *
 * `error.type` is the llmstream error code (`connection`, `http`, `timeout`, `protocol`, `server`,
 * `truncated`, `aborted`).
 *
 * @example
 * ```ts
 * const onFinish = createOtelHook(); // uses the globally registered SDK
 * await streamChat({ baseURL, model, messages, onFinish }).result;
 * ```
 */
export function createOtelHook(options: OtelHookOptions = {}): (info: FinishInfo) => void {
  let instruments: ClientInstruments | undefined;
  let tracer: Tracer | undefined;
  return (info) => {
    try {
      // Resolved at the first request, so an SDK registered after the hook was made still counts.
      instruments ??= clientInstruments(meterOf(options.meterProvider));
      tracer ??= (options.tracerProvider ?? otelApi().trace.getTracerProvider()).getTracer(
        instrumentationName,
      );
      recordClient(instruments, tracer, info, options.providerName);
    } catch {
      // Telemetry must never break the stream; the SDK reports its own problems through its logger.
    }
  };
}

/**
 * Makes an `onFinish` hook for `llmstream serve`'s own responses, recording the GenAI model-server
 * metrics: `gen_ai.server.request.duration` (every request, `error.type` on failure),
 * `gen_ai.server.time_to_first_token` and `gen_ai.server.time_per_output_token` (successful
 * requests that reached those moments). Units are seconds; buckets as the spec recommends.
 *
 * @example
 * ```ts
 * const onFinish = createOtelServerHook({ providerName: "llama.cpp" });
 * ```
 */
export function createOtelServerHook(
  options: Omit<OtelHookOptions, "tracerProvider"> = {},
): (info: FinishInfo) => void {
  let instruments: ServerInstruments | undefined;
  return (info) => {
    try {
      instruments ??= serverInstruments(meterOf(options.meterProvider));
      const attributes = baseAttributes(info, options.providerName);
      const { metrics: timing } = info.result;
      instruments.duration.record(timing.e2eMs / 1000, withError(attributes, info));
      if (info.error !== undefined) return;
      if (timing.ttftMs !== undefined) instruments.timeToFirstToken.record(timing.ttftMs / 1000, attributes);
      if (timing.tpotMs !== undefined)
        instruments.timePerOutputToken.record(timing.tpotMs / 1000, attributes);
    } catch {
      // As above: never into the stream.
    }
  };
}

interface ClientInstruments {
  duration: Histogram;
  tokenUsage: Histogram;
  timeToFirstChunk: Histogram;
  timePerOutputChunk: Histogram;
}

interface ServerInstruments {
  duration: Histogram;
  timeToFirstToken: Histogram;
  timePerOutputToken: Histogram;
}

function meterOf(provider: MeterProvider | undefined): Meter {
  return (provider ?? otelApi().metrics.getMeterProvider()).getMeter(instrumentationName);
}

function histogram(
  meter: Meter,
  name: string,
  unit: string,
  description: string,
  buckets: readonly number[],
) {
  return meter.createHistogram(name, {
    unit,
    description,
    advice: { explicitBucketBoundaries: [...buckets] },
  });
}

function clientInstruments(meter: Meter): ClientInstruments {
  return {
    duration: histogram(
      meter,
      "gen_ai.client.operation.duration",
      "s",
      "GenAI operation duration.",
      genAiBuckets.duration,
    ),
    tokenUsage: histogram(
      meter,
      "gen_ai.client.token.usage",
      "{token}",
      "Number of input and output tokens used.",
      genAiBuckets.tokens,
    ),
    timeToFirstChunk: histogram(
      meter,
      "gen_ai.client.operation.time_to_first_chunk",
      "s",
      "Time to receive the first chunk in the response stream.",
      genAiBuckets.duration,
    ),
    timePerOutputChunk: histogram(
      meter,
      "gen_ai.client.operation.time_per_output_chunk",
      "s",
      "Time per output chunk after the first one.",
      genAiBuckets.duration,
    ),
  };
}

function serverInstruments(meter: Meter): ServerInstruments {
  return {
    duration: histogram(
      meter,
      "gen_ai.server.request.duration",
      "s",
      "Generative AI server request duration such as time-to-last byte or last output token.",
      genAiBuckets.duration,
    ),
    timeToFirstToken: histogram(
      meter,
      "gen_ai.server.time_to_first_token",
      "s",
      "Time to generate first token for successful responses.",
      genAiBuckets.serverTimeToFirstToken,
    ),
    timePerOutputToken: histogram(
      meter,
      "gen_ai.server.time_per_output_token",
      "s",
      "Time per output token generated after the first token for successful responses.",
      genAiBuckets.serverTimePerOutputToken,
    ),
  };
}

/** The GenAI provider a protocol most likely means; the caller can say better through `providerName`. */
function providerOf(info: FinishInfo): string {
  const protocol = info.request.protocol;
  if (protocol === "engine") return "llama.cpp";
  // The Responses API is OpenAI's; servers that copy it (Ollama, vLLM) are told apart only by `providerName`.
  return protocol === "responses" ? "openai" : protocol;
}

function baseAttributes(info: FinishInfo, providerName: string | undefined): Attributes {
  const attributes: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": providerName ?? providerOf(info),
    "gen_ai.request.model": info.request.model,
  };
  if (info.result.model !== undefined) attributes["gen_ai.response.model"] = info.result.model;
  if (info.request.protocol !== "engine") {
    const server = serverOf(info.request.url);
    if (server !== undefined) {
      attributes["server.address"] = server.address;
      attributes["server.port"] = server.port;
    }
  }
  return attributes;
}

function withError(attributes: Attributes, info: FinishInfo): Attributes {
  return info.error === undefined ? attributes : { ...attributes, "error.type": info.error.code };
}

function serverOf(url: string): { address: string; port: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.hostname === "") return undefined;
  // WHATWG URL drops a scheme's default port; the spec wants the port the connection used.
  const port = parsed.port !== "" ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
  // IPv6 hosts come bracketed ("[::1]"); server.address wants the bare address.
  return { address: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}

function recordClient(
  instruments: ClientInstruments,
  tracer: Tracer,
  info: FinishInfo,
  providerName?: string,
): void {
  const { result, error } = info;
  const timing = result.metrics;
  const attributes = baseAttributes(info, providerName);
  instruments.duration.record(timing.e2eMs / 1000, withError(attributes, info));

  const usage = result.usage;
  const inputIsReal = usage.source === "server" || usage.source === "engine";
  const outputIsReal = inputIsReal || usage.source === "chunks";
  if (inputIsReal) {
    instruments.tokenUsage.record(usage.promptTokens, { ...attributes, "gen_ai.token.type": "input" });
  }
  if (outputIsReal) {
    instruments.tokenUsage.record(usage.completionTokens, { ...attributes, "gen_ai.token.type": "output" });
  }

  if (timing.firstChunkAt !== undefined)
    instruments.timeToFirstChunk.record(timing.firstChunkAt / 1000, attributes);
  if (timing.firstTokenAt !== undefined && timing.lastTokenAt !== undefined && timing.tokenChunks > 1) {
    const gaps = timing.tokenChunks - 1;
    const meanGapSeconds = (timing.lastTokenAt - timing.firstTokenAt) / gaps / 1000;
    for (let i = 0; i < gaps; i++) instruments.timePerOutputChunk.record(meanGapSeconds, attributes);
  }

  const spanAttributes: Attributes = { ...withError(attributes, info) };
  if (inputIsReal) spanAttributes["gen_ai.usage.input_tokens"] = usage.promptTokens;
  if (outputIsReal) spanAttributes["gen_ai.usage.output_tokens"] = usage.completionTokens;
  if (result.id !== undefined) spanAttributes["gen_ai.response.id"] = result.id;
  spanAttributes["gen_ai.response.finish_reasons"] = [result.rawFinishReason ?? result.finishReason];
  if (error?.status !== undefined) spanAttributes["http.response.status_code"] = error.status;
  const span = tracer.startSpan(`chat ${info.request.model}`, {
    kind: otelApi().SpanKind.CLIENT,
    startTime: timing.startedAtEpochMs,
    attributes: spanAttributes,
  });
  if (error !== undefined) span.setStatus({ code: otelApi().SpanStatusCode.ERROR, message: error.message });
  span.end(timing.startedAtEpochMs + timing.e2eMs);
}
