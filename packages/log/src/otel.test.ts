import { metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { HttpError } from "llmstream";
import { afterEach, describe, expect, it } from "vitest";
import { makeFinishInfo } from "./finishInfo.test-helper.js";
import { createOtelHook, createOtelServerHook, genAiBuckets } from "./otel.js";
import { histogramPoints, metricSetup, traceSetup } from "./otelSdk.test-helper.js";

const baseAttributes = {
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openai",
  "gen_ai.request.model": "qwen3:0.6b",
  "gen_ai.response.model": "qwen3:0.6b",
  "server.address": "127.0.0.1",
  "server.port": 11434,
};

afterEach(() => {
  metrics.disable();
  trace.disable();
});

describe("createOtelHook", () => {
  it("records the GenAI client metrics with the recommended buckets, units and attributes", async () => {
    const { meterProvider, collect } = metricSetup();
    const onFinish = createOtelHook({ meterProvider });
    // TTFT 120 ms (first chunk at 110 ms), 11 token chunks evenly over 500 ms, e2e 640 ms.
    onFinish(makeFinishInfo({ ttftMs: 120, e2eMs: 640, promptTokens: 25, completionTokens: 11 }));
    const byName = await collect();

    const duration = byName.get("gen_ai.client.operation.duration");
    expect(duration?.descriptor.unit).toBe("s");
    const [durationPoint] = histogramPoints(duration);
    expect(durationPoint!.attributes).toEqual(baseAttributes);
    expect(durationPoint!.value.count).toBe(1);
    expect(durationPoint!.value.sum).toBeCloseTo(0.64, 12);
    expect(durationPoint!.value.buckets.boundaries).toEqual(genAiBuckets.duration);
    // 0.64 falls in the bucket (0.32, 0.64].
    expect(durationPoint!.value.buckets.counts[genAiBuckets.duration.indexOf(0.64)]).toBe(1);

    const usage = byName.get("gen_ai.client.token.usage");
    expect(usage?.descriptor.unit).toBe("{token}");
    const usagePoints = histogramPoints(usage);
    expect(usagePoints.map((p) => [p.attributes["gen_ai.token.type"], p.value.sum])).toEqual([
      ["input", 25],
      ["output", 11],
    ]);
    expect(usagePoints[0]!.attributes).toEqual({ ...baseAttributes, "gen_ai.token.type": "input" });
    expect(usagePoints[0]!.value.buckets.boundaries).toEqual(genAiBuckets.tokens);

    const [firstChunk] = histogramPoints(byName.get("gen_ai.client.operation.time_to_first_chunk"));
    expect(byName.get("gen_ai.client.operation.time_to_first_chunk")?.descriptor.unit).toBe("s");
    expect(firstChunk!.value.sum).toBeCloseTo(0.11, 12);
    expect(firstChunk!.value.buckets.boundaries).toEqual(genAiBuckets.duration);

    const [perChunk] = histogramPoints(byName.get("gen_ai.client.operation.time_per_output_chunk"));
    // One value per token chunk after the first: count 10, sum = last − first token = 0.5 s.
    expect(perChunk!.value.count).toBe(10);
    expect(perChunk!.value.sum).toBeCloseTo(0.5, 12);
    expect(perChunk!.value.min).toBeCloseTo(0.05, 12);
  });

  it("adds error.type on failure and skips estimated token counts", async () => {
    const { meterProvider, collect } = metricSetup();
    const onFinish = createOtelHook({ meterProvider, providerName: "vllm" });
    onFinish(
      makeFinishInfo({
        error: new HttpError("Server answered 500", { status: 500 }),
        usageSource: "estimate",
      }),
    );
    onFinish(makeFinishInfo({ usageSource: "chunks", completionTokens: 4 }));
    const byName = await collect();
    const durations = histogramPoints(byName.get("gen_ai.client.operation.duration"));
    expect(durations.map((p) => p.attributes["error.type"])).toEqual(["http", undefined]);
    expect(durations.every((p) => p.attributes["gen_ai.provider.name"] === "vllm")).toBe(true);
    // The estimate reported nothing; the chunk count is a real output count, its prompt count is not.
    const usage = histogramPoints(byName.get("gen_ai.client.token.usage"));
    expect(usage.map((p) => [p.attributes["gen_ai.token.type"], p.value.count, p.value.sum])).toEqual([
      ["output", 1, 4],
    ]);
  });

  it("names the Responses protocol's provider openai", async () => {
    const { meterProvider, collect } = metricSetup();
    createOtelHook({ meterProvider })(
      makeFinishInfo({ protocol: "responses", url: "https://[::1]/v1/responses" }),
    );
    const points = histogramPoints((await collect()).get("gen_ai.client.operation.duration"));
    expect(points.map((p) => p.attributes["gen_ai.provider.name"])).toEqual(["openai"]);
  });

  it("names the engine llama.cpp without a server address, and uses the default https port", async () => {
    const { meterProvider, collect } = metricSetup();
    const onFinish = createOtelHook({ meterProvider });
    onFinish(makeFinishInfo({ protocol: "engine", url: "engine:", model: "tiny.gguf" }));
    onFinish(makeFinishInfo({ protocol: "ollama", url: "https://[::1]/api/chat", model: "remote" }));
    const points = histogramPoints((await collect()).get("gen_ai.client.operation.duration"));
    expect(points.map((p) => p.attributes)).toEqual([
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "llama.cpp",
        "gen_ai.request.model": "tiny.gguf",
        "gen_ai.response.model": "tiny.gguf",
      },
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "ollama",
        "gen_ai.request.model": "remote",
        "gen_ai.response.model": "remote",
        "server.address": "::1",
        "server.port": 443,
      },
    ]);
  });

  it("emits a client span `chat {model}` spanning the request, with error status on failure", () => {
    const { tracerProvider, exporter } = traceSetup();
    const onFinish = createOtelHook({ tracerProvider });
    const startedAtEpochMs = Date.UTC(2026, 10, 25, 10, 0, 0, 250);
    onFinish(makeFinishInfo({ startedAtEpochMs, e2eMs: 640 }));
    onFinish(
      makeFinishInfo({ startedAtEpochMs, error: new HttpError("Server answered 429", { status: 429 }) }),
    );
    const [ok, failed] = exporter.getFinishedSpans();
    expect(ok!.name).toBe("chat qwen3:0.6b");
    expect(ok!.kind).toBe(SpanKind.CLIENT);
    expect(ok!.startTime).toEqual([Math.floor(startedAtEpochMs / 1000), 250_000_000]);
    expect(ok!.endTime).toEqual([Math.floor(startedAtEpochMs / 1000), 890_000_000]);
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    expect(ok!.attributes).toEqual({
      ...baseAttributes,
      "gen_ai.usage.input_tokens": 25,
      "gen_ai.usage.output_tokens": 11,
      "gen_ai.response.id": "chatcmpl-123",
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: "Server answered 429" });
    expect(failed!.attributes["error.type"]).toBe("http");
    expect(failed!.attributes["http.response.status_code"]).toBe(429);
    expect(failed!.attributes["gen_ai.response.finish_reasons"]).toEqual(["error"]);
  });

  it("is a no-op without an SDK and picks up one registered after the hook was made", async () => {
    const onFinish = createOtelHook();
    const { meterProvider, collect } = metricSetup();
    const { tracerProvider, exporter } = traceSetup();
    metrics.setGlobalMeterProvider(meterProvider);
    trace.setGlobalTracerProvider(tracerProvider);
    onFinish(makeFinishInfo());
    expect(histogramPoints((await collect()).get("gen_ai.client.operation.duration"))).toHaveLength(1);
    expect(exporter.getFinishedSpans()).toHaveLength(1);

    metrics.disable();
    trace.disable();
    expect(() => createOtelHook()(makeFinishInfo())).not.toThrow();
  });
});

describe("createOtelServerHook", () => {
  it("records the GenAI server metrics; TTFT and TPOT only for successful requests", async () => {
    const { meterProvider, collect } = metricSetup();
    const onFinish = createOtelServerHook({ meterProvider, providerName: "llama.cpp" });
    onFinish(makeFinishInfo({ ttftMs: 80, e2eMs: 620, completionTokens: 11 }));
    onFinish(makeFinishInfo({ error: new HttpError("Bad request", { status: 400 }) }));
    const byName = await collect();

    const durations = histogramPoints(byName.get("gen_ai.server.request.duration"));
    expect(byName.get("gen_ai.server.request.duration")?.descriptor.unit).toBe("s");
    expect(durations.map((p) => [p.attributes["error.type"], p.value.count])).toEqual([
      [undefined, 1],
      ["http", 1],
    ]);
    expect(durations[0]!.value.buckets.boundaries).toEqual(genAiBuckets.duration);

    const [ttft] = histogramPoints(byName.get("gen_ai.server.time_to_first_token"));
    expect(ttft!.value.count).toBe(1);
    expect(ttft!.value.sum).toBeCloseTo(0.08, 12);
    expect(ttft!.value.buckets.boundaries).toEqual(genAiBuckets.serverTimeToFirstToken);
    expect(ttft!.attributes["gen_ai.provider.name"]).toBe("llama.cpp");

    const [tpot] = histogramPoints(byName.get("gen_ai.server.time_per_output_token"));
    // (600 − 80) ms over 10 tokens after the first.
    expect(tpot!.value.sum).toBeCloseTo(0.052, 12);
    expect(tpot!.value.buckets.boundaries).toEqual(genAiBuckets.serverTimePerOutputToken);
  });
});
