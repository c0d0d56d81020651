import { metrics, trace } from "@opentelemetry/api";
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } from "@opentelemetry/sdk-trace-base";
import { streamChat } from "llmstream";
import { createOtelHook } from "@llmstream/log";

// The console exporters print what would be sent. To send it to a collector, use OTLPMetricExporter
// and OTLPTraceExporter from @opentelemetry/exporter-metrics-otlp-http and -trace-otlp-http instead.
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })],
});
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())],
});
metrics.setGlobalMeterProvider(meterProvider);
trace.setGlobalTracerProvider(tracerProvider);

const stream = streamChat({
  baseURL: "http://localhost:11434/v1",
  model: "llama3",
  messages: [{ role: "user", content: "Hello" }],
  onFinish: createOtelHook(), // the GenAI metrics and a `chat llama3` span, per request
});
console.log((await stream.result).text);
// Batching exporters send on a timer: flush what is buffered before the process ends.
await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
