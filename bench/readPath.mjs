// node --expose-gc bench/readPath.mjs <dist A> [dist B] [--chunks=100000] [--rounds=25]
// The HTTP read path alone (createResponseReader: body decoder, template parser, chunk handler),
// in one process: the same Buffers, as a socket would deliver them, through two builds alternated
// round by round (e.g. a base commit's dist and this tree's). CPU µs per chunk, median of rounds.
// Far less noisy than bench/client.mjs on a shared machine, for changes to the fast lane; it does
// not replace it (no network, no stream core, no peers).
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const options = Object.fromEntries(args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")));
const dists = args.filter((a) => !a.startsWith("--"));
if (dists.length === 0) dists.push("dist");
const CHUNKS = Number(options.chunks ?? 100_000);
const ROUNDS = Number(options.rounds ?? 25);
const builds = await Promise.all(
  dists.map((dist) => import(pathToFileURL(path.resolve(dist, "client/createResponseReader.js")).href)),
);

// Chunks shaped like llama.cpp's and vLLM's, with multi-byte tokens, in reads of ~16 KB.
const tokens = ["Hello", " world", " é", "你好", " 🙂", ",", " the", " quick", " brown", " fox"];
const reads = [];
let text = "";
for (let i = 0; i < CHUNKS; i++) {
  const content = JSON.stringify(tokens[i % tokens.length]);
  text += `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":${content}},"finish_reason":null}]}\n\n`;
  if (text.length > 16_000 || i === CHUNKS - 1) {
    reads.push(Buffer.from(text));
    text = "";
  }
}
reads.push(
  Buffer.from('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'),
);

async function round(build) {
  let count = 0;
  const noop = () => {};
  const sink = {
    chunk: noop,
    text: () => count++,
    reasoning: noop,
    toolCallFragment: noop,
    toolCall: noop,
    finish: noop,
    usage: noop,
    timings: noop,
    meta: noop,
    serverError: (message) => {
      throw new Error(message);
    },
    warning: noop,
    end: noop,
  };
  let next = 0;
  const take = () => (next < reads.length ? reads[next++] : undefined);
  const iterator = {
    next: async () => {
      const value = take();
      return value === undefined ? { done: true, value } : { done: false, value };
    },
    take,
    wait: () => false,
    return: async () => ({ done: true, value: undefined }),
  };
  const reader = build.createResponseReader({
    open: async () => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      body: { [Symbol.asyncIterator]: () => iterator },
      close: noop,
    }),
    onResponse: noop,
    sink,
    protocol: "openai",
    streaming: true,
    url: "http://bench",
    maxLineLength: 1 << 20,
  });
  await reader.fill(); // opens
  const start = process.cpuUsage();
  for (;;) {
    while (reader.decode());
    if (reader.pull()) continue;
    if (!(await reader.fill())) break;
  }
  const used = process.cpuUsage(start);
  if (count !== CHUNKS) throw new Error(`delivered ${count} of ${CHUNKS} tokens`);
  return (used.user + used.system) / CHUNKS;
}

const results = builds.map(() => []);
for (let r = 0; r < 3; r++) for (const build of builds) await round(build); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which build goes first, so neither always runs right after a GC or the other's JIT.
  const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
  for (const i of order) {
    globalThis.gc?.();
    results[i].push(await round(builds[i]));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const [i, dist] of dists.entries()) {
  const all = results[i].map((x) => x.toFixed(2)).join(" ");
  console.log(`${dist}: median ${median(results[i]).toFixed(3)} µs/chunk (rounds: ${all})`);
}
