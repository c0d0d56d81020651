// Embedded engine throughput: llmstream's engine path against node-llama-cpp used directly, same
// model and settings, in one process, alternating repetitions, medians. Run: npm run bench:engine
// CPU µs/token (all threads of the process, per generated token) is less sensitive than tokens/s to
// other programs competing for the cores; the load average is printed so runs can be compared.
// Options: --model PATH (default: the development model ../shared/models/stories260K.gguf),
//          --reps N (default 9), --max-tokens N (default 512), --threads N (default: the engine's choice).
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  defaultEngineThreads,
  developmentModelFile,
  disposeEngine,
  readGgufMetadata,
  streamEngineChat,
} from "@llmstream/engine";
import { getLlama, LlamaCompletion } from "node-llama-cpp";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    reps: { type: "string", default: "9" },
    "max-tokens": { type: "string", default: "512" },
    threads: { type: "string" },
  },
});
const modelFile = values.model ?? developmentModelFile;
const reps = Number(values.reps);
const maxTokens = Number(values["max-tokens"]);
const info = await readGgufMetadata(modelFile);
const threads =
  values.threads === undefined ? defaultEngineThreads(info.parameterCount) : Number(values.threads);
const prompt = "Once upon a time";
const settings = { maxTokens, temperature: 0, seed: 1, threads, contextSize: 2048 };

/** One llmstream run: TTFT from the call to the first text event; decode rate between first and last token. */
async function runLlmstream() {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let first;
  let last;
  const stream = streamEngineChat({ modelFile, messages: [{ role: "user", content: prompt }], ...settings });
  for await (const event of stream) {
    if (event.type !== "text") continue;
    last = performance.now();
    first ??= last;
  }
  const result = await stream.result;
  const used = process.cpuUsage(cpu);
  return {
    ttftMs: first - started,
    tokens: result.usage.completionTokens,
    decodeMs: last - first,
    cpuUs: used.user + used.system,
    text: result.text,
  };
}

const llama = await getLlama({ build: "never", gpu: false, logLevel: "error" });
const model = await llama.loadModel({ modelPath: modelFile });
const context = await model.createContext({ contextSize: settings.contextSize, threads });
const sequence = context.getSequence();
const completion = new LlamaCompletion({ contextSequence: sequence });
const promptTokens = model.tokenize(prompt);

/** node-llama-cpp's documented streaming API, measured the same way. */
async function runDirect() {
  await sequence.clearHistory();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let first;
  let last;
  let tokens = 0;
  // The same prompt tokens as the engine (LlamaCompletion adds BOS itself); given the string it would
  // tokenize it without SentencePiece's leading space, a slightly different prompt.
  const text = await completion.generateCompletion(promptTokens, {
    maxTokens,
    temperature: 0,
    seed: 1,
    repeatPenalty: false,
    onToken: (chunk) => {
      tokens += chunk.length;
    },
    onTextChunk: () => {
      last = performance.now();
      first ??= last;
    },
  });
  const used = process.cpuUsage(cpu);
  return { ttftMs: first - started, tokens, decodeMs: last - first, cpuUs: used.user + used.system, text };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const tokensPerSecond = (run) => ((run.tokens - 1) / run.decodeMs) * 1000;

const loadBefore = loadavg()[0];
// Warm-up: loads llmstream's model and context once; the direct path above is already loaded.
const warmEngine = await runLlmstream();
const warmDirect = await runDirect();
const runs = { llmstream: [], direct: [] };
for (let rep = 0; rep < reps; rep++) {
  const order = rep % 2 === 0 ? ["llmstream", "direct"] : ["direct", "llmstream"];
  for (const name of order) runs[name].push(name === "llmstream" ? await runLlmstream() : await runDirect());
}
await llama.dispose();
await disposeEngine();

const rows = Object.entries(runs).map(([name, list]) => ({
  name,
  tps: median(list.map(tokensPerSecond)),
  ttft: median(list.map((run) => run.ttftMs)),
  tokens: median(list.map((run) => run.tokens)),
  cpu: median(list.map((run) => run.cpuUs / run.tokens)),
}));
const [engineRow, directRow] = rows;
console.log(
  `model ${modelFile} (${info.parameterCount} parameters), ${availableParallelism()} cores, threads ${threads}, ` +
    `maxTokens ${maxTokens}, temperature 0, seed 1, ${reps} alternating repetitions after one warm-up each, medians; ` +
    `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`,
);
console.log("path                          tokens  tokens/s    TTFT ms  CPU µs/token");
for (const row of rows) {
  const label = row.name === "llmstream" ? "llmstream streamEngineChat" : "node-llama-cpp LlamaCompletion";
  console.log(
    `${label.padEnd(30)}${String(row.tokens).padStart(6)}${row.tps.toFixed(0).padStart(10)}${row.ttft.toFixed(2).padStart(11)}${row.cpu.toFixed(0).padStart(14)}`,
  );
}
// Each repetition runs both paths back to back, so the ratio within a pair cancels slow load changes.
const pairRatios = runs.llmstream.map((run, rep) => tokensPerSecond(run) / tokensPerSecond(runs.direct[rep]));
console.log(
  `ratio llmstream / direct tokens/s: ${(engineRow.tps / directRow.tps).toFixed(3)} (ratio of medians), ` +
    `${median(pairRatios).toFixed(3)} (median of per-repetition ratios; target >= 0.95)`,
);
const same = warmEngine.text === warmDirect.text;
let at = 0;
while (at < warmEngine.text.length && warmEngine.text[at] === warmDirect.text[at]) at++;
console.log(
  `same text from both paths: ${same}${same ? "" : ` (first difference at character ${at}: ${JSON.stringify(warmEngine.text.slice(at - 20, at + 20))} vs ${JSON.stringify(warmDirect.text.slice(at - 20, at + 20))})`}`,
);
