import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, ensureBuilt, runCli, startCli } from "./cliProcess.js";

// The CLI's clients against a real server: `llmstream serve` over the embedded engine, as a process.
const storiesModel = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const startLine = /^llmstream serve: (http:\/\/127\.0\.0\.1:\d+\/v1) \((.*)\)\n$/;
const dir = mkdtempSync(join(tmpdir(), "llmstream-bench-serve-"));
let serve: CliProcess;
let baseURL: string;

beforeAll(async () => {
  ensureBuilt();
  serve = startCli(["serve", "--port", "0", "--model-file", storiesModel, "--parallel", "2", "--no-log"]);
  const line = await serve.waitForStdout((out) => out.includes("\n"), 30_000);
  const url = startLine.exec(line)?.[1];
  if (url === undefined)
    throw new Error(`Unexpected start line: ${JSON.stringify(line)}; stderr: ${serve.stderr()}`);
  baseURL = url;
}, 40_000);
afterAll(async () => {
  serve.child.kill("SIGTERM");
  const { code } = await serve.exited;
  expect(code).toBe(0);
});

/** The sum of a Prometheus sample of serve's /metrics over the label sets that contain `labels`. */
async function metric(name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${baseURL.replace(/\/v1$/, "")}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name && (match[2] ?? "").includes(labels)) sum += Number(match[3]);
  }
  return sum;
}

interface BenchRecord {
  sentAt: number;
  firstChunkAt: number;
  firstTokenAt: number;
  endAt: number;
  chunkTimes: number[];
  outputTokens: number;
  promptTokens: number;
  usageSource: string;
  ok: boolean;
  finishReason: string;
}
type Level = Record<string, number | null | unknown> & { records: BenchRecord[] };

/** The keys of vLLM's `bench serve` result that a user's script reads. */
const vllmKeys = [
  "duration",
  "completed",
  "failed",
  "total_input_tokens",
  "total_output_tokens",
  "request_throughput",
  "output_throughput",
  "total_token_throughput",
  "input_lens",
  "output_lens",
  "ttfts",
  "itls",
  "max_concurrency",
  ...["ttft", "tpot", "itl", "e2el"].flatMap((m) => [`mean_${m}_ms`, `median_${m}_ms`, `p99_${m}_ms`]),
];

async function bench(protocol: "openai" | "responses") {
  const json = join(dir, `${protocol}.json`);
  const tokensBefore = {
    prompt: await metric("llmstream_serve_tokens_total", 'kind="prompt"'),
    completion: await metric("llmstream_serve_tokens_total", 'kind="completion"'),
    ttftSum: await metric("llmstream_serve_time_to_first_token_seconds_sum"),
    ttftCount: await metric("llmstream_serve_time_to_first_token_seconds_count"),
  };
  const run = await runCli(
    [
      "bench",
      "--base-url",
      baseURL,
      "-m",
      "stories260K",
      "--protocol",
      protocol,
      "--concurrency",
      "1,2",
      "--requests",
      "6",
      "--warmup",
      "0",
      "--max-tokens",
      "24",
      "--json",
      json,
    ],
    { timeoutMs: 60_000 },
  );
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const report = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown> & { levels: Level[] };
  const after = {
    prompt: await metric("llmstream_serve_tokens_total", 'kind="prompt"'),
    completion: await metric("llmstream_serve_tokens_total", 'kind="completion"'),
    ttftSum: await metric("llmstream_serve_time_to_first_token_seconds_sum"),
    ttftCount: await metric("llmstream_serve_time_to_first_token_seconds_count"),
  };
  return {
    report,
    stdout: run.stdout,
    served: {
      prompt: after.prompt - tokensBefore.prompt,
      completion: after.completion - tokensBefore.completion,
      ttftSum: after.ttftSum - tokensBefore.ttftSum,
      ttftCount: after.ttftCount - tokensBefore.ttftCount,
    },
  };
}

describe.sequential("llmstream bench against the embedded engine through serve", () => {
  for (const protocol of ["openai", "responses"] as const) {
    it(`--protocol ${protocol}: every request completes, with the engine's token counts and plausible latencies`, async () => {
      const { report, stdout, served } = await bench(protocol);
      expect(report).toMatchObject({ backend: protocol, model_id: "stories260K", base_url: baseURL });
      expect(report.invalid).toBe(false);
      expect(stdout).toMatch(/tokens from\s+server 6\s+server 6/);
      expect(report.levels.map((level) => level.max_concurrency)).toEqual([1, 2]);
      let inputTokens = 0;
      let outputTokens = 0;
      let clientTtftMs = 0;
      for (const level of report.levels) {
        for (const key of vllmKeys) expect(level, key).toHaveProperty(key);
        expect(level).toMatchObject({
          completed: 6,
          failed: 0,
          errors_by_class: {},
          // Tokens from the server's usage (serve relays the engine tokenizer's counts), labelled so.
          usage_sources: { server: 6 },
          total_output_tokens: 6 * 24,
          output_lens: Array(6).fill(24),
        });
        expect(level.max_concurrent_requests).toBe(level.max_concurrency);
        for (const record of level.records) {
          expect(record).toMatchObject({ ok: true, usageSource: "server", outputTokens: 24 });
          // The server's own words for the limit: the bench records the raw finish reason.
          expect(record.finishReason).toBe(protocol === "openai" ? "length" : "max_output_tokens");
          // At most one chunk per token: a token that is only part of a UTF-8 character is held until
          // the character is whole, so two tokens can share a chunk (23 chunks for 24 tokens, seen).
          expect(record.chunkTimes.length).toBeGreaterThanOrEqual(20);
          expect(record.chunkTimes.length).toBeLessThanOrEqual(24);
          expect(record.promptTokens).toBeGreaterThan(8);
          expect(record.sentAt).toBeLessThan(record.firstChunkAt);
          expect(record.firstChunkAt).toBeLessThanOrEqual(record.firstTokenAt);
          expect(record.firstTokenAt).toBeLessThan(record.endAt);
          inputTokens += record.promptTokens;
          outputTokens += record.outputTokens;
          clientTtftMs += record.firstTokenAt - record.sentAt;
        }
        expect(level.total_input_tokens).toBe(level.records.reduce((sum, r) => sum + r.promptTokens, 0));
        // Plausible for a 260K-parameter model on a loaded 2-core machine: a first token within
        // seconds, each further one within a second, and E2E = TTFT + (tokens − 1) × TPOT.
        const ttft = level.mean_ttft_ms as number;
        const tpot = level.mean_tpot_ms as number;
        const e2e = level.mean_e2el_ms as number;
        expect(ttft).toBeGreaterThan(0);
        expect(ttft).toBeLessThan(5000);
        expect(tpot).toBeGreaterThan(0.01);
        expect(tpot).toBeLessThan(1000);
        expect(level.min_ttft_ms as number).toBeGreaterThan(0);
        expect(level.min_tpot_ms as number).toBeGreaterThan(0);
        expect(Math.abs(ttft + 23 * tpot - e2e)).toBeLessThan(0.05 * e2e + 1);
        expect(level.output_throughput as number).toBeGreaterThan(0);
      }
      // The same counts serve's own metrics recorded from the engine, for exactly these 12 requests.
      expect(served).toMatchObject({ prompt: inputTokens, completion: outputTokens, ttftCount: 12 });
      // The server's TTFT starts when the request arrived and ends when it wrote the token: inside
      // the client's span, which starts before the send and ends after the read.
      expect(served.ttftSum * 1000).toBeLessThanOrEqual(clientTtftMs);
    }, 90_000);
  }
});

describe("llmstream bench --compare: a Responses server direct and through serve's relay", () => {
  let mock: MockServer;
  let relay: CliProcess | undefined;
  beforeAll(async () => {
    mock = await createMockServer();
  });
  afterAll(async () => {
    relay?.child.kill("SIGTERM");
    await relay?.exited;
    await mock.close();
  });

  it("runs the same schedule against both, every request completes on each, with the server's counts", async () => {
    relay = startCli(["serve", "--port", "0", "--upstream", `responses+${mock.url}/s/paced/v1`, "--no-log"]);
    const line = await relay.waitForStdout((out) => out.includes("\n"), 30_000);
    const relayURL = startLine.exec(line)?.[1] as string;
    expect(relayURL).toBeDefined();
    const json = join(dir, "compare.json");
    const before = mock.requests.length;
    const run = await runCli(
      [
        "bench",
        "--base-url",
        `${mock.url}/s/paced/v1`,
        "--compare",
        relayURL,
        "--protocol",
        "responses",
        "-m",
        "m",
        "--concurrency",
        "4",
        "--requests",
        "8",
        "--warmup",
        "0",
        "--json",
        json,
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/difference \(compare − target\)/);
    const report = JSON.parse(readFileSync(json, "utf8")) as {
      levels: Level[];
      compare: { base_url: string; levels: Level[] };
    };
    expect(report.compare.base_url).toBe(relayURL);
    // Both runs reached the mock's Responses API: 8 requests direct, 8 relayed by serve.
    const paths = mock.requests.slice(before).map((r) => r.path);
    expect(paths).toEqual(Array(16).fill("/s/paced/v1/responses"));
    for (const level of [report.levels[0], report.compare.levels[0]]) {
      expect(level).toMatchObject({
        completed: 8,
        failed: 0,
        usage_sources: { server: 8 },
        output_lens: Array(8).fill(20),
        max_concurrent_requests: 4,
      });
      expect(level?.median_ttft_ms as number).toBeGreaterThan(0);
      expect(level?.median_tpot_ms as number).toBeGreaterThan(0);
    }
  }, 90_000);
});

describe("llmstream chat --protocol responses against serve over the engine", () => {
  it("prints a story streamed from serve's /v1/responses and exits 0", async () => {
    const run = await runCli(
      [
        "chat",
        "--protocol",
        "responses",
        "--base-url",
        baseURL,
        "-m",
        "stories260K",
        "--max-tokens",
        "32",
        "Once upon a time",
      ],
      { timeoutMs: 30_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // TinyStories' vocabulary: lowercase English words and punctuation, several of them.
    const story = run.stdout.trim();
    expect(story.split(/\s+/).length).toBeGreaterThan(5);
    expect(story).toMatch(/^[\w\s.,!?'"-]+$/);
  }, 40_000);
});
