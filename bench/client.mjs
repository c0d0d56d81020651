// npm run bench:client — llmstream against a raw node:http floor, openai-node and the AI SDK, all
// reading the same mock server (in its own process) over loopback, in one run. Prints a table.
import { execFile, spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import { promisify } from "node:util";
import { contestants } from "./contestants.mjs";

const run = promisify(execFile);
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const FLOOD = Number(args.chunks ?? 100_000);
const ROUNDS = Number(args.rounds ?? 3);
const PACED = Number(args.paced ?? 200);
const PACED_MS = Number(args.interval ?? 5);
const PACED_ROUNDS = Number(args["paced-rounds"] ?? 8);
const TTFT_RUNS = Number(args.ttft ?? 30);
const BIG = Number(args.big ?? 1_000_000);
const names = Object.keys(contestants);
// --only=flood,paced,ttft,rss runs a subset (for quick checks); the README's table is a full run.
const only = new Set((args.only ?? "flood,paced,ttft,rss").split(","));

const mock = spawn(process.execPath, [new URL("./mock-server.mjs", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve) => mock.stdout.once("data", (d) => resolve(String(d).trim())));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

try {
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), mock at ${url}`,
  );
  const flood = `${url}/s/flood/v1`;
  for (const name of names) await contestants[name](flood, { headers: { "x-mock-chunks": "20000" } });

  // 1. Flood: throughput and CPU per chunk.
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; only.has("flood") && round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const count = await contestants[name](flood, { headers: { "x-mock-chunks": String(FLOOD) } });
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (count !== FLOOD) throw new Error(`${name} delivered ${count} of ${FLOOD} deltas`);
      wall[name].push(ms);
      cpu[name].push((c.user + c.system) / FLOOD);
    }
  }

  // 2. Paced: delivery latency of each delta (server send stamp → consumer), and warm TTFT.
  // Every client reads its socket through net.Socket#push (node:http and undici alike), so stamping
  // each socket read also gives the in-process part of the latency: socket read → consumer. The
  // network and wake-up part before it is the same for every client and carries most of the noise.
  let lastSocketRead = 0;
  const push = net.Socket.prototype.push;
  net.Socket.prototype.push = function stampedPush(chunk, encoding) {
    if (chunk !== null) lastSocketRead = performance.now();
    return push.call(this, chunk, encoding);
  };
  const paced = `${url}/s/paced/v1`;
  // Wake-up jitter dominates single runs, so: several rounds in rotating order, the median of the
  // per-round p50s, and p99 over all samples.
  const latency = Object.fromEntries(names.map((n) => [n, []]));
  const roundP50 = Object.fromEntries(names.map((n) => [n, []]));
  const inProcess = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; only.has("paced") && round < PACED_ROUNDS; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const samples = [];
      await contestants[name](paced, {
        headers: { "x-mock-chunks": String(PACED), "x-mock-interval-ms": String(PACED_MS) },
        onText: (text) => {
          const now = performance.now();
          samples.push((performance.timeOrigin + now - Number.parseFloat(text)) * 1000);
          inProcess[name].push((now - lastSocketRead) * 1000);
        },
      });
      latency[name].push(...samples);
      roundP50[name].push(median(samples));
    }
  }
  const ttft = Object.fromEntries(names.map((n) => [n, []]));
  const ok = `${url}/s/ok/v1`;
  for (let i = 0; only.has("ttft") && i < TTFT_RUNS; i++) {
    for (const name of names) {
      const t0 = performance.now();
      let first;
      await contestants[name](ok, {
        onText: () => {
          first ??= performance.now() - t0;
        },
      });
      ttft[name].push(first);
    }
  }

  // 3. One long stream, counted only: RSS growth, each client in its own process.
  const rss = {};
  for (const name of only.has("rss") ? names : []) {
    if (name === "ai-sdk" && !args["big-ai-sdk"]) continue;
    const child = new URL("./rss-child.mjs", import.meta.url).pathname;
    const { stdout } = await run(process.execPath, ["--expose-gc", child, name, flood, String(BIG)], {
      maxBuffer: 1 << 20,
    });
    rss[name] = JSON.parse(stdout);
    // The same run with V8's young generation capped: separates memory the client keeps from the
    // young generation V8 grows on its own when many objects survive a scavenge.
    const capped = await run(
      process.execPath,
      ["--expose-gc", "--max-semi-space-size=2", child, name, flood, String(BIG)],
      { maxBuffer: 1 << 20 },
    );
    rss[name].capped = JSON.parse(capped.stdout);
    if (rss[name].count !== BIG)
      throw new Error(`${name} delivered ${rss[name].count} of ${BIG} in the RSS run`);
  }

  const floorRate = FLOOD / (median(wall.floor) / 1000);
  const floorP50 = median(roundP50.floor);
  const floorInProcess = median(inProcess.floor);
  const floorTtft = median(ttft.floor);
  // Sections left out with --only print as "–".
  const fix = (value, digits) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));
  const rows = names.map((name) => {
    const rate = FLOOD / (median(wall[name]) / 1000);
    const p50 = median(roundP50[name]);
    return {
      client: name,
      "chunks/s": Number.isNaN(rate) ? "–" : Math.round(rate).toLocaleString("en-US"),
      "× floor": fix(rate / floorRate, 2),
      "CPU µs/chunk": fix(median(cpu[name]), 2),
      "delivery p50 µs": fix(p50, 0),
      "delivery p99 µs": fix(quantile(latency[name], 0.99), 0),
      "added p50 µs": fix(p50 - floorP50, 0),
      "socket→consumer p50 µs": fix(median(inProcess[name]), 1),
      "added in-process p50 µs": fix(median(inProcess[name]) - floorInProcess, 1),
      "warm TTFT ms": fix(median(ttft[name]), 2),
      "TTFT overhead ms": fix(median(ttft[name]) - floorTtft, 2),
      [`RSS growth ${BIG / 1e6}M MB`]: rss[name]
        ? ((rss[name].peak - rss[name].baseline) / 2 ** 20).toFixed(1)
        : "n/a",
      "same, semi-space 2 MB": rss[name]
        ? ((rss[name].capped.peak - rss[name].capped.baseline) / 2 ** 20).toFixed(1)
        : "n/a",
    };
  });
  console.log(
    `\nflood: ${FLOOD.toLocaleString("en-US")} chunks × ${ROUNDS} rounds (medians); paced: ${PACED} chunks every ${PACED_MS} ms × ${PACED_ROUNDS} rounds (median of round p50s); warm TTFT: ${TTFT_RUNS} requests; RSS: one ${BIG.toLocaleString("en-US")}-chunk stream per client in its own process\n`,
  );
  const headers = Object.keys(rows[0]);
  console.log(`| ${headers.join(" | ")} |`);
  console.log(`|${headers.map(() => " --- ").join("|")}|`);
  for (const row of rows) console.log(`| ${headers.map((h) => row[h]).join(" | ")} |`);
  const ours = rows.find((r) => r.client === "llmstream");
  const rate = (n) => FLOOD / (median(wall[n]) / 1000);
  console.log(`\nllmstream vs floor: ${ours["× floor"]}× chunks/s (target ≥ 0.7)`);
  console.log(`llmstream vs openai-node: ${(rate("llmstream") / rate("openai-node")).toFixed(2)}× chunks/s`);
  console.log(`llmstream vs ai-sdk: ${(rate("llmstream") / rate("ai-sdk")).toFixed(2)}× chunks/s`);
  console.log(`llmstream CPU: ${ours["CPU µs/chunk"]} µs/chunk (target ≤ 2)`);
  console.log(
    `llmstream added delivery latency p50: ${ours["added in-process p50 µs"]} µs over the floor in-process (socket read → consumer), ${ours["added p50 µs"]} µs end to end (target ≤ 30)`,
  );
  console.log(
    `llmstream RSS growth over ${BIG.toLocaleString("en-US")} chunks: ${ours[`RSS growth ${BIG / 1e6}M MB`]} MB; ${ours["same, semi-space 2 MB"]} MB with --max-semi-space-size=2 (target ≤ 10)`,
  );
} finally {
  mock.kill("SIGTERM");
}
