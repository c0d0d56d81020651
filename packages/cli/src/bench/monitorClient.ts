import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { ClientLoad } from "./summarizeLevel.js";

/**
 * Starts measuring the benchmark client's own load: CPU time and event-loop delay. A client near a
 * full core, or whose loop runs late, stamps tokens late and sends open-loop requests late: the
 * report must say so instead of blaming the server.
 */
export function monitorClient(): { stop(): ClientLoad } {
  // 1 ms resolution: coarser hides the few-ms delays that matter for a 10 ms token gap.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  return {
    stop() {
      histogram.disable();
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = Math.max(performance.now() - wallStart, 1e-3);
      // The histogram counts the timer's own resolution as delay; subtract it.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - 1);
      const p = (q: number) => (histogram.count > 0 ? ms(histogram.percentile(q)) : 0);
      return {
        cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        eventLoopDelayMs: { p50: p(50), p99: p(99), max: histogram.count > 0 ? ms(histogram.max) : 0 },
        loadAverage: loadavg()[0] ?? 0,
        cores: availableParallelism(),
      };
    },
  };
}
