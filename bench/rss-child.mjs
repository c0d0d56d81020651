// One contestant reads one N-chunk flood and only counts the deltas; prints RSS before and at peak.
import { contestants } from "./contestants.mjs";

const [name, baseURL, chunks] = process.argv.slice(2);
const run = contestants[name];
// Warm up the code paths (and JIT) so the baseline includes the loaded modules.
await run(baseURL, { headers: { "x-mock-chunks": "2000" } });
globalThis.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const started = performance.now();
const count = await run(baseURL, { headers: { "x-mock-chunks": chunks } });
const ms = performance.now() - started;
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({ name, count, baseline, peak, ms })}\n`);
