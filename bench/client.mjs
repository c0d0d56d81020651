// npm run bench:client — llmstream against a raw node:http floor, openai-node and the AI SDK, all
// reading the same mock server (in its own process) over loopback, in one run. Every measurement
// runs in a fresh process per client (bench/child.mjs), rounds in rotating order. Prints a table.
import { execFile, spawn } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";
import { contestants } from "./contestants.mjs";

const exec = promisify(execFile);
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const FLOOD = Number(args.chunks ?? 100_000);
const ROUNDS = Number(args.rounds ?? 5);
const PACED = Number(args.paced ?? 200);
const PACED_MS = Number(args.interval ?? 5);
const PACED_ROUNDS = Number(args["paced-rounds"] ?? 8);
const TTFT_PER_ROUND = Number(args.ttft ?? 4);
const BIG = Number(args.big ?? 1_000_000);
const WARMUP = Number(args.warmup ?? 20_000);
// --tokens=ascii floods with ASCII-only tokens; by default some are multi-byte (é, 你好, 🙂).
const TOKENS = args.tokens ?? "mixed";
const names = Object.keys(contestants);
// --only=flood,paced,rss runs a subset (for quick checks); the README's table is a full run.
const only = new Set((args.only ?? "flood,paced,rss").split(","));

const mock = spawn(process.execPath, [new URL("./mock-server.mjs", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve) => mock.stdout.once("data", (d) => resolve(String(d).trim())));
const child = new URL("./child.mjs", import.meta.url).pathname;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const rotated = (round) => names.map((_, i) => names[(i + round) % names.length]);

async function measure(name, job, nodeFlags = []) {
  const { stdout } = await exec(
    process.execPath,
    [
      "--expose-gc",
      ...nodeFlags,
      child,
      JSON.stringify({ name, url, warmup: WARMUP, tokens: TOKENS, ...job }),
    ],
    { maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout);
}

try {
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), mock at ${url}`,
  );

  // 1. Flood: throughput and CPU per chunk.
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; only.has("flood") && round < ROUNDS; round++) {
    for (const name of rotated(round)) {
      const result = await measure(name, { mode: "flood", chunks: FLOOD });
      if (result.count !== FLOOD) throw new Error(`${name} delivered ${result.count} of ${FLOOD} deltas`);
      wall[name].push(result.ms);
      cpu[name].push(result.cpuUs / FLOOD);
    }
  }

  // 2. Paced: delivery latency of each delta, end to end (server send stamp → consumer) and in
  // process (socket read → consumer), and warm TTFT. Wake-up jitter dominates single runs, so:
  // several rounds in rotating order, the median of the per-round p50s, p99 over all samples.
  const latency = Object.fromEntries(names.map((n) => [n, []]));
  const roundP50 = Object.fromEntries(names.map((n) => [n, []]));
  const inProcessP50 = Object.fromEntries(names.map((n) => [n, []]));
  const ttft = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; only.has("paced") && round < PACED_ROUNDS; round++) {
    for (const name of rotated(round)) {
      const result = await measure(name, {
        mode: "paced",
        paced: PACED,
        intervalMs: PACED_MS,
        ttft: TTFT_PER_ROUND,
      });
      if (result.count !== PACED) throw new Error(`${name} delivered ${result.count} of ${PACED} deltas`);
      latency[name].push(...result.endToEnd);
      roundP50[name].push(median(result.endToEnd));
      inProcessP50[name].push(median(result.inProcess));
      ttft[name].push(...result.firstText);
    }
  }

  // 3. One long stream, counted only: RSS growth.
  const rss = {};
  for (const name of only.has("rss") ? names : []) {
    if (name === "ai-sdk" && !args["big-ai-sdk"]) continue;
    rss[name] = await measure(name, { mode: "rss", chunks: BIG });
    // The same run with V8's young generation capped: separates memory the client keeps from the
    // young generation V8 grows on its own when many objects survive a scavenge.
    rss[name].capped = await measure(name, { mode: "rss", chunks: BIG }, ["--max-semi-space-size=2"]);
    if (rss[name].count !== BIG)
      throw new Error(`${name} delivered ${rss[name].count} of ${BIG} in the RSS run`);
  }

  const rate = (name) => FLOOD / (median(wall[name]) / 1000);
  const floorP50 = median(roundP50.floor);
  const floorInProcess = median(inProcessP50.floor);
  const floorTtft = median(ttft.floor);
  // Sections left out with --only print as "–".
  const fix = (value, digits) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));
  const mb = (r) => (r ? ((r.peak - r.baseline) / 2 ** 20).toFixed(1) : "n/a");
  const rows = names.map((name) => ({
    client: name,
    "chunks/s": Number.isNaN(rate(name)) ? "–" : Math.round(rate(name)).toLocaleString("en-US"),
    "× floor": fix(rate(name) / rate("floor"), 2),
    "CPU µs/chunk": fix(median(cpu[name]), 2),
    "delivery p50 µs": fix(median(roundP50[name]), 0),
    "delivery p99 µs": fix(quantile(latency[name], 0.99), 0),
    "added p50 µs": fix(median(roundP50[name]) - floorP50, 0),
    "socket→consumer p50 µs": fix(median(inProcessP50[name]), 1),
    "added in-process µs": fix(median(inProcessP50[name]) - floorInProcess, 1),
    "warm TTFT ms": fix(median(ttft[name]), 2),
    "TTFT overhead ms": fix(median(ttft[name]) - floorTtft, 2),
    [`RSS growth ${BIG / 1e6}M MB`]: mb(rss[name]),
    "same, semi-space 2 MB": mb(rss[name]?.capped),
  }));
  console.log(
    `\nflood: ${FLOOD.toLocaleString("en-US")} chunks × ${ROUNDS} rounds (medians), ${TOKENS} tokens; paced: ${PACED} chunks every ${PACED_MS} ms × ${PACED_ROUNDS} rounds (median of round p50s); warm TTFT: ${TTFT_PER_ROUND} requests per paced round; RSS: one ${BIG.toLocaleString("en-US")}-chunk stream; each measurement in a fresh process after a warm-up of 5 × ${WARMUP.toLocaleString("en-US")} chunks\n`,
  );
  const headers = Object.keys(rows[0]);
  console.log(`| ${headers.join(" | ")} |`);
  console.log(`|${headers.map(() => " --- ").join("|")}|`);
  for (const row of rows) console.log(`| ${headers.map((h) => row[h]).join(" | ")} |`);
  const ours = rows.find((r) => r.client === "llmstream");
  console.log(`\nllmstream vs floor: ${ours["× floor"]}× chunks/s (target ≥ 0.7)`);
  console.log(`llmstream vs openai-node: ${(rate("llmstream") / rate("openai-node")).toFixed(2)}× chunks/s`);
  console.log(`llmstream vs ai-sdk: ${(rate("llmstream") / rate("ai-sdk")).toFixed(2)}× chunks/s`);
  console.log(`llmstream CPU: ${ours["CPU µs/chunk"]} µs/chunk (target ≤ 2)`);
  const forEach = rows.find((r) => r.client === "llmstream, forEach");
  console.log(
    `llmstream added delivery latency p50 (target ≤ 30 µs): forEach ${forEach["added in-process µs"]} µs in process (socket read → consumer), ${forEach["added p50 µs"]} µs end to end; for await ${ours["added in-process µs"]} µs in process, ${ours["added p50 µs"]} µs end to end`,
  );
  // What for-await delivery itself costs, measured in the same run: the rest is llmstream's own.
  const forAwait = rows.find((r) => r.client === "floor, for await");
  const minus = (a, b) => fix(Number.parseFloat(a) - Number.parseFloat(b), 1);
  console.log(
    `  a bare for-await over the floor's parse adds ${forAwait["added in-process µs"]} µs in process, ${forAwait["added p50 µs"]} µs end to end; llmstream's for await over that: ${minus(ours["added in-process µs"], forAwait["added in-process µs"])} µs in process, ${minus(ours["added p50 µs"], forAwait["added p50 µs"])} µs end to end`,
  );
  console.log(
    `llmstream RSS growth over ${BIG.toLocaleString("en-US")} chunks: ${ours[`RSS growth ${BIG / 1e6}M MB`]} MB; ${ours["same, semi-space 2 MB"]} MB with --max-semi-space-size=2 (target ≤ 10)`,
  );
} finally {
  mock.kill("SIGTERM");
}
