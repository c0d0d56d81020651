// npm run bench:sse — llmstream/sse's createSseParser against eventsource-parser (the installed
// version, printed) on the same large SSE bodies, fed as the same decoded reads. Every measurement
// runs in a fresh process that loads only the parser it measures (this file with --child) and parses
// the body PASSES times, each with a new parser: "cold" is the first pass (what a CLI reading one
// long stream sees: the JIT still compiling), "warm" the median of the last WARM passes (a process
// that has parsed many streams). Rounds alternate the order. Prints the medians over the rounds:
// events/s, CPU µs per event (user + system, all threads, so GC and JIT count) and the ratios.
//
//   node bench/sse.mjs [--events=100000] [--rounds=9] [--variants=llm,multiline,crlf]
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import { promisify } from "node:util";

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const equals = arg.indexOf("=");
    return equals === -1 ? [arg.replace(/^--/, ""), "true"] : [arg.slice(2, equals), arg.slice(equals + 1)];
  }),
);
const EVENTS = Number(args.events ?? 100_000);
const ROUNDS = Number(args.rounds ?? 9);
// V8 settled both parsers within ~14 passes of 100,000 events here (--trace-opt/--trace-deopt).
const PASSES = Number(args.passes ?? 20);
const WARM = 5;
const PARSERS = ["llmstream", "eventsource-parser"];
const VARIANTS = {
  llm: "one `data:` line of OpenAI chat-completion JSON per event (tokens with escapes and multi-byte text), LF, `[DONE]` at the end",
  multiline: "`event:`, `id:` and three `data:` lines per event, LF",
  crlf: "the llm body with CRLF line endings",
};

// The tokens cycle, so no parser gains from identical events; some have JSON escapes, some are
// multi-byte (two-byte strings after decoding) or astral.
const TOKENS = [
  " the",
  " model",
  "ing",
  ",",
  ' "quoted"',
  "\\n\\n",
  " é",
  " 你好",
  " 🙂",
  " stream",
  "ed",
  " to",
  " people",
  ".",
  " It",
  " measures",
];

/** The SSE body of a variant, as text. */
function body(variant, events) {
  const parts = [];
  for (let i = 0; i < events; i++) {
    const token = TOKENS[i % TOKENS.length];
    if (variant === "multiline") {
      parts.push(
        `event: delta\nid: ${i}\ndata: {"index":${i},\ndata:  "text":"${token}",\ndata:  "final":false}\n\n`,
      );
    } else {
      parts.push(
        `data: {"id":"chatcmpl-9f3a1c","object":"chat.completion.chunk","created":1733500000,"model":"llama3.1:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"content":"${token}"},"finish_reason":null}]}\n\n`,
      );
    }
  }
  if (variant !== "multiline") parts.push("data: [DONE]\n\n");
  const text = parts.join("");
  return variant === "crlf" ? text.replaceAll("\n", "\r\n") : text;
}

/** A deterministic PRNG (mulberry32), so every process splits the body the same way. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The body as a `TextDecoderStream` hands it to a parser: UTF-8 bytes cut into socket reads of
 * log-uniform sizes from 256 B to 64 KiB (one event per read on a paced stream, Node's 64 KiB reads
 * under a flood), each decoded in streaming mode (a multi-byte character may straddle two reads).
 */
function reads(text) {
  const bytes = new TextEncoder().encode(text);
  const next = random(42);
  const decoder = new TextDecoder();
  const chunks = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = Math.round(256 * 256 ** next());
    chunks.push(decoder.decode(bytes.subarray(offset, offset + size), { stream: true }));
    offset += size;
  }
  chunks.push(decoder.decode());
  return chunks.filter((chunk) => chunk.length > 0);
}

async function child({ parser, variant, events }) {
  const text = body(variant, events);
  const chunks = reads(text);
  let count = 0;
  let checksum = 0;
  // The same work per event for both: count it and touch its data, type and id.
  const onEvent = (event) => {
    count++;
    checksum += event.data.length + (event.event === undefined ? 0 : 1) + (event.id === undefined ? 0 : 1);
  };
  let feedAll;
  if (parser === "llmstream") {
    const { createSseParser } = await import("llmstream/sse");
    feedAll = () => {
      const instance = createSseParser({ onEvent });
      for (const chunk of chunks) instance.feed(chunk);
      instance.end();
    };
  } else {
    const { createParser } = await import("eventsource-parser");
    feedAll = () => {
      const instance = createParser({ onEvent });
      for (const chunk of chunks) instance.feed(chunk);
      instance.reset({ consume: true });
    };
  }
  // Every pass on its own clock: one preemption on a shared machine spoils one pass, not the figure.
  const passes = [];
  for (let i = 0; i < PASSES; i++) {
    count = 0;
    checksum = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    feedAll();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    passes.push({ ms, cpuUs: cpu.user + cpu.system });
  }
  const warm = passes.slice(-WARM);
  process.stdout.write(
    `${JSON.stringify({
      count,
      checksum,
      cold: passes[0],
      warm: { ms: median(warm.map((pass) => pass.ms)), cpuUs: median(warm.map((pass) => pass.cpuUs)) },
      bytes: Buffer.byteLength(text),
      reads: chunks.length,
    })}\n`,
  );
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const exec = promisify(execFile);
  const self = new URL(import.meta.url).pathname;
  const theirs = createRequire(import.meta.url)("eventsource-parser/package.json").version;
  const variants = (args.variants ?? Object.keys(VARIANTS).join(",")).split(",");
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${load.join(" ")}; eventsource-parser ${theirs}`,
  );
  console.log(
    `${EVENTS.toLocaleString("en-US")} events per body, ${ROUNDS} rounds in rotating order, each measurement a fresh process parsing the body ${PASSES} times (cold: the first pass; warm: the median of the last ${WARM})\n`,
  );
  const rows = [];
  for (const variant of variants) {
    const results = Object.fromEntries(PARSERS.map((p) => [p, []]));
    let info;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? PARSERS : [...PARSERS].reverse();
      for (const parser of order) {
        const { stdout } = await exec(process.execPath, [
          "--expose-gc",
          self,
          `--child=${JSON.stringify({ parser, variant, events: EVENTS })}`,
        ]);
        const result = JSON.parse(stdout);
        results[parser].push(result);
        info ??= result;
        // Both must have seen the same events, or the comparison means nothing.
        if (result.count !== info.count || result.checksum !== info.checksum)
          throw new Error(
            `${parser} on ${variant}: ${result.count} events, checksum ${result.checksum}; expected ${info.count}, ${info.checksum}`,
          );
      }
    }
    console.log(
      `${variant}: ${VARIANTS[variant]}; ${(info.bytes / 2 ** 20).toFixed(1)} MiB in ${info.reads.toLocaleString("en-US")} reads, ${info.count.toLocaleString("en-US")} events`,
    );
    for (const phase of ["cold", "warm"]) {
      const runs = (parser) => results[parser].map((r) => r[phase]);
      const rate = (parser) => median(runs(parser).map((run) => info.count / (run.ms / 1000)));
      const cpu = (parser) => median(runs(parser).map((run) => run.cpuUs / info.count));
      // Paired by round (the two ran back to back): how many times faster llmstream was.
      const theirRuns = runs("eventsource-parser");
      const wallRatios = runs("llmstream").map((run, i) => theirRuns[i].ms / run.ms);
      const cpuRatios = runs("llmstream").map((run, i) => theirRuns[i].cpuUs / run.cpuUs);
      const list = (xs) => xs.map((x) => x.toFixed(2)).join(" ");
      console.log(
        `  ${phase}, per round, eventsource-parser ÷ llmstream: wall ${list(wallRatios)}; CPU ${list(cpuRatios)}`,
      );
      for (const parser of PARSERS) {
        const ours = parser === "llmstream";
        rows.push({
          body: variant,
          pass: phase,
          parser: ours ? "llmstream/sse" : `eventsource-parser ${theirs}`,
          "events/s": Math.round(rate(parser)).toLocaleString("en-US"),
          "CPU µs/event": cpu(parser).toFixed(3),
          "throughput ×": (rate(parser) / rate("eventsource-parser")).toFixed(2),
          "CPU ×": (cpu("eventsource-parser") / cpu(parser)).toFixed(2),
          "paired wall / CPU ×": ours
            ? `${median(wallRatios).toFixed(2)} / ${median(cpuRatios).toFixed(2)}`
            : "–",
        });
      }
    }
  }
  console.log(
    "\nMedians over the rounds; × is relative to eventsource-parser (above 1: llmstream is faster, or uses less CPU per event); paired: the median of the per-round ratios\n",
  );
  const headers = Object.keys(rows[0]);
  console.log(`| ${headers.join(" | ")} |`);
  console.log(`|${headers.map(() => " --- ").join("|")}|`);
  for (const row of rows) console.log(`| ${headers.map((h) => row[h]).join(" | ")} |`);
}

if (args.child) await child(JSON.parse(args.child));
else await main();
