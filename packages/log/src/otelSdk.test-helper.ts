import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { expect } from "vitest";

/** The real metrics SDK with an in-memory exporter; `collect` returns llmstream's metrics by name. */
export function metricSetup() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  async function collect(): Promise<Map<string, MetricData>> {
    await reader.forceFlush();
    const byName = new Map<string, MetricData>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        expect(scope.scope.name).toBe("llmstream");
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
    }
    exporter.reset();
    return byName;
  }
  return { meterProvider, collect };
}

/** The real tracing SDK with an in-memory span exporter. */
export function traceSetup() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracerProvider, exporter };
}

/** A histogram metric's data points, each with its attributes (fails the test for another kind). */
export function histogramPoints(metric: MetricData | undefined) {
  expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
  return (metric?.dataPoints ?? []).map((point) => ({
    attributes: point.attributes,
    value: point.value as Histogram,
  }));
}
