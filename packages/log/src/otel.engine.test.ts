import { disposeEngine, streamEngineChat } from "@llmstream/engine";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../engine/src/engineTestModels.test-helper.js";
import { createOtelHook } from "./otel.js";
import { histogramPoints, metricSetup, traceSetup } from "./otelSdk.test-helper.js";

afterAll(async () => {
  await disposeEngine();
});

/** The real SDK's in-memory exporters behind one hook; `collect` returns the metrics by name. */
function telemetry() {
  const { meterProvider, collect } = metricSetup();
  const { tracerProvider, exporter: spanExporter } = traceSetup();
  const onFinish = createOtelHook({ meterProvider, tracerProvider });
  return { onFinish, collect, spanExporter };
}

const engineAttributes = {
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "llama.cpp",
  "gen_ai.request.model": "stories260K",
  "gen_ai.response.model": "stories260K",
};

describe("createOtelHook on a real embedded-engine stream", () => {
  it("records what the stream measured: duration, engine token counts, first chunk, per-chunk time, span", async () => {
    const { onFinish, collect, spanExporter } = telemetry();
    const stream = streamEngineChat({
      modelFile: storiesModel,
      messages: [{ role: "user", content: "Once upon a time" }],
      maxTokens: 30,
      temperature: 0,
      onFinish,
    });
    const result = await stream.result;
    const { metrics, usage } = result;
    expect(usage.source).toBe("engine");
    const points = await collect();

    const [duration] = histogramPoints(points.get("gen_ai.client.operation.duration"));
    expect(duration?.attributes).toEqual(engineAttributes);
    expect(duration?.value.count).toBe(1);
    expect(duration?.value.sum).toBeCloseTo(metrics.e2eMs / 1000, 9);

    const tokens = histogramPoints(points.get("gen_ai.client.token.usage"));
    expect(tokens.map((p) => [p.attributes["gen_ai.token.type"], p.value.sum])).toEqual([
      ["input", usage.promptTokens],
      ["output", 30],
    ]);

    const [firstChunk] = histogramPoints(points.get("gen_ai.client.operation.time_to_first_chunk"));
    expect(firstChunk?.value.sum).toBeCloseTo((metrics.firstChunkAt ?? Number.NaN) / 1000, 9);

    const [perChunk] = histogramPoints(points.get("gen_ai.client.operation.time_per_output_chunk"));
    expect(perChunk?.value.count).toBe(metrics.tokenChunks - 1);
    const firstToLast = ((metrics.lastTokenAt ?? Number.NaN) - (metrics.firstTokenAt ?? Number.NaN)) / 1000;
    expect(perChunk?.value.sum).toBeCloseTo(firstToLast, 9);

    const [span] = spanExporter.getFinishedSpans();
    expect(span?.name).toBe("chat stories260K");
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toMatchObject({
      ...engineAttributes,
      "gen_ai.usage.input_tokens": usage.promptTokens,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.response.finish_reasons": ["length"],
    });
  });

  it("marks an aborted stream with error.type aborted and keeps the engine's counts", async () => {
    const { onFinish, collect, spanExporter } = telemetry();
    const stream = streamEngineChat({
      modelFile: storiesModel,
      messages: [{ role: "user", content: "Once upon a time" }],
      maxTokens: 100_000,
      temperature: 0,
      onFinish,
    });
    let texts = 0;
    for await (const event of stream) if (event.type === "text" && ++texts === 5) stream.abort();
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    const points = await collect();
    const [duration] = histogramPoints(points.get("gen_ai.client.operation.duration"));
    expect(duration?.attributes).toEqual({ ...engineAttributes, "error.type": "aborted" });
    const tokens = histogramPoints(points.get("gen_ai.client.token.usage"));
    expect(tokens.map((p) => [p.attributes["gen_ai.token.type"], p.value.sum])).toEqual([
      ["input", result.usage.promptTokens],
      ["output", result.usage.completionTokens],
    ]);
    expect(result.usage.completionTokens).toBe(texts);
    const [span] = spanExporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("aborted");
  });
});
