// One measurement of one client in a fresh process (bench/client.mjs starts one per client and
// round): nothing the other clients loaded, compiled or left on the heap affects it. Prints JSON.
import net from "node:net";
import { contestants } from "./contestants.mjs";

const { name, url, mode, chunks, warmup, paced, intervalMs, ttft, tokens } = JSON.parse(process.argv[2]);
// `tokens: "ascii"` asks the mock for its ASCII-only flood (the default mixes in multi-byte tokens).
const flood = (count) => ({
  headers: { "x-mock-chunks": String(count), ...(tokens === "ascii" ? { "x-mock-tokens": "ascii" } : {}) },
});
const run = contestants[name];
const WARMUP_REQUESTS = 5;

// Every client reads its socket through net.Socket#push (node:http and undici alike), so stamping
// each socket read gives the in-process part of the delivery latency: socket read → consumer.
let lastSocketRead = 0;
const push = net.Socket.prototype.push;
net.Socket.prototype.push = function stampedPush(chunk, encoding) {
  if (chunk !== null) lastSocketRead = performance.now();
  return push.call(this, chunk, encoding);
};

// Warm up the code paths first, so the measurement sees a client in steady state: the optimising
// compiler works for several requests (on background threads, which count as the process's CPU).
for (let i = 0; i < WARMUP_REQUESTS; i++) {
  await run(`${url}/s/flood/v1`, flood(warmup));
}

if (mode === "flood") {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const count = await run(`${url}/s/flood/v1`, flood(chunks));
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  print({ count, ms, cpuUs: c.user + c.system });
} else if (mode === "paced") {
  // Let the warm-up's background work (optimising compiler, GC helpers) finish first: on 2 cores its
  // threads compete with the wake-ups being measured (measured: ~4× the latency while they run).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const endToEnd = [];
  const inProcess = [];
  const count = await run(`${url}/s/paced/v1`, {
    headers: { "x-mock-chunks": String(paced), "x-mock-interval-ms": String(intervalMs) },
    onText: (text) => {
      const now = performance.now();
      endToEnd.push((performance.timeOrigin + now - Number.parseFloat(text)) * 1000);
      inProcess.push((now - lastSocketRead) * 1000);
    },
  });
  const firstText = [];
  for (let i = 0; i < ttft; i++) {
    const t0 = performance.now();
    let first;
    await run(`${url}/s/ok/v1`, {
      onText: () => {
        first ??= performance.now() - t0;
      },
    });
    firstText.push(first);
  }
  print({ count, endToEnd, inProcess, firstText });
} else if (mode === "rss") {
  // A settled heap for the baseline. (Not before the other measurements: a forced GC shrinks the
  // young generation, and the many small scavenges that follow cost every client ~1 µs per chunk.)
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const count = await run(`${url}/s/flood/v1`, flood(chunks));
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);
  print({ count, baseline, peak });
}

function print(result) {
  process.stdout.write(`${JSON.stringify({ name, ...result })}\n`);
}
