// One-off measurement for the Responses client (not an npm script): node bench/responses.mjs [deltas], after npm run build.
// CPU time per delivered delta, chat-completions vs Responses, llmstream and openai-node, against the mock in another process.
import { spawn } from "node:child_process";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { streamChat } = await import("llmstream");
const { default: OpenAI } = await import(`${root}/node_modules/openai/index.mjs`);
const N = Number(process.argv[2] ?? 50000);
const mock = spawn(process.execPath, [`${root}/bench/mock-server.mjs`], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((r) => mock.stdout.once("data", (d) => r(String(d).trim())));
const headers = { "x-mock-chunks": String(N) };
const runs = {
  "llmstream openai": async () => {
    let n = 0;
    await streamChat({
      baseURL: `${url}/s/flood/v1`,
      model: "m",
      messages: [{ role: "user", content: "b" }],
      headers,
      retry: 0,
    }).forEach((e) => {
      if (e.type === "text") n++;
    });
    return n;
  },
  "llmstream responses": async () => {
    let n = 0;
    await streamChat({
      baseURL: `${url}/s/flood/v1`,
      model: "m",
      messages: [{ role: "user", content: "b" }],
      headers,
      retry: 0,
      protocol: "responses",
    }).forEach((e) => {
      if (e.type === "text") n++;
    });
    return n;
  },
  "openai-node chat": async () => {
    const c = new OpenAI({ apiKey: "x", baseURL: `${url}/s/flood/v1`, defaultHeaders: headers });
    let n = 0;
    for await (const ch of await c.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "b" }],
      stream: true,
    }))
      if (ch.choices[0]?.delta?.content) n++;
    return n;
  },
  "openai-node responses": async () => {
    const c = new OpenAI({ apiKey: "x", baseURL: `${url}/s/flood/v1`, defaultHeaders: headers });
    let n = 0;
    for await (const ev of await c.responses.create({ model: "m", input: "b", stream: true }))
      if (ev.type === "response.output_text.delta") n++;
    return n;
  },
};
const results = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (const name of Object.keys(runs)) await runs[name](); // warm-up (also builds the mock's cached bodies)
for (let round = 0; round < 5; round++) {
  for (const name of Object.keys(runs)) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await runs[name]();
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    if (n !== N) throw new Error(`${name}: ${n} deltas, expected ${N}`);
    results[name].push({ cpuUsPerDelta: (cpu.user + cpu.system) / N, wallMs: wall });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(`node ${process.version}, ${N} deltas per run, 5 rounds, medians (mock in its own process)`);
for (const [name, rs] of Object.entries(results))
  console.log(
    `${name.padEnd(24)} CPU ${median(rs.map((r) => r.cpuUsPerDelta)).toFixed(2)} µs/delta   wall ${median(rs.map((r) => r.wallMs)).toFixed(0)} ms   (all CPU: ${rs.map((r) => r.cpuUsPerDelta.toFixed(2)).join(", ")})`,
  );
mock.kill("SIGTERM");
