// Relay overhead: the same streaming load against the mock directly, through a bare byte-copying
// node:http pipe (the floor for one extra hop), and through `llmstream serve`'s relay (parsing,
// measuring and re-encoding every event), at 1, 50, 200 and 500 concurrent streams. Then the
// embedded engine's decode rate through `serve` against the engine used directly.
// Run: npm run bench:relay   Options: --levels 1,50,200,500  --chunks 20  --engine-reps 5
//   --cpu-prof DIR  writes V8 CPU profiles of the pipe and relay processes into DIR (node --cpu-prof)
//   --engine-reps 0 skips the engine comparison
//
// Definitions (printed with the table):
//   TTFT      request start → first content token received by the client (ms). Overhead = the
//             route's TTFT percentile minus the direct route's same percentile.
//   delivery  per content event: client receive time − the mock's send time stamped inside the
//             token (same machine clock), ms. Overhead = route percentile − direct percentile.
//   CPU/event user+system CPU of the hop process (pipe or relay) during the level, divided by the
//             content events it delivered, µs. The relay also writes its role, finish and [DONE] chunks,
//             and logs each request as `serve` does (a SQLite row and the OpenTelemetry metrics).
// The mock, the pipe and the relay each run in their own process; the client runs here.
import { fork } from "node:child_process";
import http from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const self = fileURLToPath(import.meta.url);
const role = process.argv[2];

// A child ends with the bench, even when the bench is killed.
if (role !== undefined) process.on("disconnect", () => process.exit(0));

function reportCpuOnRequest() {
  process.on("message", (message) => {
    if (message === "cpu") process.send({ cpu: process.cpuUsage() });
  });
}

if (role === "mock") {
  const { createMockServer } = await import("@llmstream/mock");
  const server = await createMockServer({ port: 0 });
  reportCpuOnRequest();
  process.send({ url: server.url });
} else if (role === "pipe") {
  // The floor for one extra hop: copy request and response bytes, nothing else (~30 lines).
  const target = new URL(process.argv[3]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const hopByHop = new Set([
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "proxy-connection",
  ]);
  const server = http.createServer((req, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !hopByHop.has(name)));
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers,
        agent,
      },
      (upstreamRes) => {
        const back = Object.entries(upstreamRes.headers).filter(([name]) => !hopByHop.has(name));
        res.writeHead(upstreamRes.statusCode ?? 502, Object.fromEntries(back));
        upstreamRes.on("data", (chunk) => res.write(chunk));
        upstreamRes.on("end", () => res.end());
      },
    );
    upstream.on("socket", (socket) => socket.setNoDelay(true));
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.on("data", (chunk) => upstream.write(chunk));
    req.on("end", () => upstream.end());
  });
  server.on("connection", (socket) => socket.setNoDelay(true));
  server.listen(0, "127.0.0.1", () => {
    reportCpuOnRequest();
    process.send({ url: `http://127.0.0.1:${server.address().port}` });
  });
} else if (role === "relay") {
  const { createServeApp, createRelayBackend, serveNode } = await import(
    "../packages/cli/dist/server/index.js"
  );
  // Logged as `llmstream serve` logs: a SQLite row and the OpenTelemetry metrics per request, written
  // a turn after the stream ended (a throwaway LLMSTREAM_HOME, so the bench leaves nothing behind).
  const { createRequestLog, createOtelServerHook } = await import("@llmstream/log");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const home = mkdtempSync(join(tmpdir(), "llmstream-bench-relay-"));
  process.on("exit", () => rmSync(home, { recursive: true, force: true }));
  const log = createRequestLog({ source: "serve", env: { LLMSTREAM_HOME: home } });
  const otel = createOtelServerHook({ providerName: "llmstream" });
  const onFinish = (info) =>
    setImmediate(() => {
      log.onFinish(info);
      otel(info);
    });
  const app = createServeApp({
    backend: createRelayBackend({
      upstreams: [{ name: "mock", url: `${process.argv[3]}/s/paced/v1`, protocol: "openai" }],
      onFinish,
    }),
  });
  const server = await serveNode(app, { port: 0 });
  reportCpuOnRequest();
  process.send({ url: server.url });
} else if (role === "engine-serve") {
  const { createServeApp, createEngineBackend, serveNode } = await import(
    "../packages/cli/dist/server/index.js"
  );
  const app = createServeApp({ backend: createEngineBackend({ modelFile: process.argv[3], parallel: 1 }) });
  const server = await serveNode(app, { port: 0 });
  process.send({ url: server.url });
} else {
  // After the whole module has run, so every declaration below exists.
  setImmediate(() =>
    main().catch((error) => {
      console.error(error);
      process.exit(1);
    }),
  );
}

function start(childRole, args = [], execArgv = []) {
  const child = fork(self, [childRole, ...args], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...execArgv],
  });
  return new Promise((resolve) => child.once("message", ({ url }) => resolve({ child, url })));
}

function cpuOf(child) {
  return new Promise((resolve) => {
    child.once("message", ({ cpu }) => resolve(cpu.user + cpu.system));
    child.send("cpu");
  });
}

// A new connection per stream: a reused keep-alive socket that the server closes at the same
// moment (its 5 s keep-alive timeout) would fail a request for reasons outside the hop measured.
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const stampPattern = /"content":"(\d+\.\d{3}) "/g;
const now = () => performance.timeOrigin + performance.now();

/** One streamed request; resolves with its TTFT and each content event's delivery delay. */
function stream(url, chunks) {
  return new Promise((resolve, reject) => {
    const started = now();
    let ttft;
    const delays = [];
    let tail = "";
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (response) => {
        response.setEncoding("utf8");
        response.on("data", (text) => {
          const at = now();
          const data = tail + text;
          let last = 0;
          for (const match of data.matchAll(stampPattern)) {
            ttft ??= at - started;
            delays.push(at - Number(match[1]));
            last = match.index + match[0].length;
          }
          tail = data.slice(Math.max(last, data.length - 64));
        });
        response.on("end", () => {
          if (delays.length !== chunks)
            reject(new Error(`Expected ${chunks} content events from ${url}, got ${delays.length}`));
          else resolve({ ttft, delays });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(
      JSON.stringify({
        model: "bench",
        stream: true,
        max_tokens: chunks,
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function level(url, concurrency, chunks) {
  const total = Math.max(concurrency, 40);
  const ttfts = [];
  const delays = [];
  for (let done = 0; done < total; done += concurrency) {
    const results = await Promise.all(Array.from({ length: concurrency }, () => stream(url, chunks)));
    for (const result of results) {
      ttfts.push(result.ttft);
      for (const delay of result.delays) delays.push(delay);
    }
  }
  return { ttfts, delays };
}

async function main() {
  const { values } = parseArgs({
    options: {
      levels: { type: "string", default: "1,50,200,500" },
      chunks: { type: "string", default: "20" },
      "engine-reps": { type: "string", default: "5" },
      "cpu-prof": { type: "string" },
    },
  });
  const levels = values.levels.split(",").map(Number);
  const chunks = Number(values.chunks);
  const mock = await start("mock");
  const profile = values["cpu-prof"];
  const profiled = profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : [];
  const pipe = await start("pipe", [mock.url], profiled);
  const relay = await start("relay", [mock.url], profiled);
  const routes = [
    { name: "direct", url: `${mock.url}/s/paced/v1/chat/completions` },
    { name: "pipe", url: `${pipe.url}/s/paced/v1/chat/completions`, child: pipe.child },
    { name: "relay", url: `${relay.url}/v1/chat/completions`, child: relay.child },
  ];
  for (const route of routes) {
    console.error(`warming up ${route.name}`);
    await level(route.url, 10, chunks);
  }
  console.log(
    `bench:relay — mock 'paced' scenario, ${chunks} content events per stream, 10 ms apart; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const rows = [];
  for (const concurrency of levels) {
    const measured = {};
    for (const route of routes) {
      const cpuBefore = route.child ? await cpuOf(route.child) : 0;
      const { ttfts, delays } = await level(route.url, concurrency, chunks).catch((error) => {
        throw new Error(`${route.name} at ${concurrency} streams failed: ${error.message}`, { cause: error });
      });
      const cpuAfter = route.child ? await cpuOf(route.child) : 0;
      measured[route.name] = {
        ttft50: percentile(ttfts, 50),
        ttft99: percentile(ttfts, 99),
        delay50: percentile(delays, 50),
        delay99: percentile(delays, 99),
        cpuPerEvent: route.child ? (cpuAfter - cpuBefore) / delays.length : undefined,
        events: delays.length,
      };
    }
    const d = measured.direct;
    for (const name of ["pipe", "relay"]) {
      const m = measured[name];
      rows.push({
        streams: concurrency,
        route: name,
        "TTFT +p50 ms": (m.ttft50 - d.ttft50).toFixed(2),
        "TTFT +p99 ms": (m.ttft99 - d.ttft99).toFixed(2),
        "delivery +p50 ms": (m.delay50 - d.delay50).toFixed(2),
        "delivery +p99 ms": (m.delay99 - d.delay99).toFixed(2),
        "CPU µs/event": m.cpuPerEvent.toFixed(1),
        events: m.events,
      });
    }
    const p = measured.pipe;
    const r = measured.relay;
    rows.push({
      streams: concurrency,
      route: "relay/pipe",
      "TTFT +p50 ms": ratio(r.ttft50 - d.ttft50, p.ttft50 - d.ttft50),
      "TTFT +p99 ms": ratio(r.ttft99 - d.ttft99, p.ttft99 - d.ttft99),
      "delivery +p50 ms": ratio(r.delay50 - d.delay50, p.delay50 - d.delay50),
      "delivery +p99 ms": ratio(r.delay99 - d.delay99, p.delay99 - d.delay99),
      "CPU µs/event": ratio(r.cpuPerEvent, p.cpuPerEvent),
      events: "",
    });
    rows.push({
      streams: concurrency,
      route: "(direct abs)",
      "TTFT +p50 ms": d.ttft50.toFixed(2),
      "TTFT +p99 ms": d.ttft99.toFixed(2),
      "delivery +p50 ms": d.delay50.toFixed(2),
      "delivery +p99 ms": d.delay99.toFixed(2),
      "CPU µs/event": "",
      events: d.events,
    });
  }
  console.table(rows);
  console.log(
    "TTFT/delivery columns: the route's percentile minus direct's (ms; (direct abs) rows are absolute). Ratios: relay overhead ÷ pipe overhead (an overhead at or below 0 makes the ratio meaningless: shown as n/a). CPU: hop process user+system per content event.",
  );
  mock.child.kill();
  // A disconnect makes the hops exit by themselves, so --cpu-prof writes their profiles.
  for (const { child } of [pipe, relay]) child.disconnect();
  const reps = Number(values["engine-reps"]);
  if (reps > 0) await engineComparison(reps);
  agent.destroy();
}

function ratio(a, b) {
  if (!(b > 0) || !(a >= 0)) return "n/a";
  return `${(a / b).toFixed(2)}×`;
}

/** Decode rate (tokens/s between first and last token) through serve vs streamEngineChat in-process. */
async function engineComparison(reps) {
  const { developmentModelFile, streamEngineChat, disposeEngine } = await import("@llmstream/engine");
  const serve = await start("engine-serve", [developmentModelFile]);
  const settings = { max_tokens: 256, temperature: 0, seed: 1 };
  const direct = [];
  const served = [];
  for (let rep = 0; rep < reps + 1; rep++) {
    const result = await streamEngineChat({
      modelFile: developmentModelFile,
      messages: [{ role: "user", content: "Once upon a time" }],
      maxTokens: settings.max_tokens,
      temperature: 0,
      seed: 1,
      threads: 1,
    }).result;
    const viaServe = await servedRate(serve.url, settings);
    if (rep === 0) continue; // warm-up
    direct.push(result.metrics.tokensPerSecond);
    served.push(viaServe);
  }
  serve.child.kill();
  await disposeEngine();
  const d = percentile(direct, 50);
  const s = percentile(served, 50);
  console.log(
    `engine (stories260K, 1 thread, 256 tokens, median of ${reps}): direct ${d.toFixed(0)} tokens/s, through serve ${s.toFixed(0)} tokens/s (client-observed), ratio ${(s / d).toFixed(2)}×`,
  );
}

function servedRate(url, settings) {
  return new Promise((resolve, reject) => {
    const times = [];
    const request = http.request(`${url}/v1/chat/completions`, { method: "POST", agent }, (response) => {
      response.setEncoding("utf8");
      response.on("data", (text) => {
        const at = performance.now();
        for (const _ of text.matchAll(/"delta":\{"content":/g)) times.push(at);
      });
      response.on("end", () => {
        // Chunks per second between the first and the last content chunk (one token each here).
        const span = (times.at(-1) - times[0]) / 1000;
        resolve((times.length - 1) / span);
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(
      JSON.stringify({
        model: "stories260K",
        stream: true,
        ...settings,
        messages: [{ role: "user", content: "Once upon a time" }],
      }),
    );
  });
}
