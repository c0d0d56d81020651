import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinScenarios } from "../../packages/mock/src/builtinScenarios.js";
import type { Scenario, Step } from "../../packages/mock/src/Scenario.js";
import { ensureBuilt, runCli, startCli } from "./cliProcess.js";

const dir = mkdtempSync(join(tmpdir(), "llmstream-bench-test-"));
/** When the mock actually wrote each token, and ended the answer, per mock request index: the truth. */
const tokenWrites = new Map<number, number[]>();
const endWrites = new Map<number, number>();
const now = () => performance.timeOrigin + performance.now();

/**
 * `scheduled`, with every token write (the function-valued writes of tokenStream) timed as it
 * happens, and a last empty write that times the end (after `data: [DONE]`, just before the mock
 * ends the response).
 */
const timedScheduled: Scenario = (context) => {
  const response = (builtinScenarios.scheduled as Exclude<Scenario, { steps: unknown }>)(context);
  const times: number[] = [];
  tokenWrites.set(context.request.index, times);
  const steps = response.steps.map((step): Step => {
    if (!("write" in step) || typeof step.write !== "function") return step;
    const write = step.write;
    return {
      write: () => {
        times.push(now());
        return write();
      },
    };
  });
  steps.push({
    write: () => {
      endWrites.set(context.request.index, now());
      return "";
    },
  });
  return { ...response, steps };
};

let mock: MockServer;
beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer({ scenarios: { timed: timedScheduled } });
});
afterAll(async () => {
  await mock.close();
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] as number) + (sorted[Math.ceil(mid)] as number)) / 2;
};

function readJson(file: string): Record<string, unknown> & { levels: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(file, "utf8"));
}

describe("llmstream bench against the mock", () => {
  it("reports TTFT and TPOT p50 within 2 ms of the mock's real schedule at 32 concurrent streams", async () => {
    tokenWrites.clear();
    endWrites.clear();
    const first = mock.requests.length;
    const json = join(dir, "accuracy.json");
    const run = await runCli(
      [
        "bench",
        "--base-url",
        `${mock.url}/s/timed/v1`,
        "-m",
        "m",
        "--concurrency",
        "32",
        "--requests",
        "64",
        "--warmup",
        "32",
        "--max-tokens",
        "20",
        "--json",
        json,
      ],
      { timeoutMs: 30_000 },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = readJson(json);
    expect(report.completed).toBe(64);
    expect(report.failed).toBe(0);
    expect(report.max_concurrent_requests).toBe(32);
    // The truth, on the clock both processes share (performance.timeOrigin + now): when the mock
    // really wrote each token, against when the benchmark really sent the request. Request i of the
    // report is mock request N by its response id (chatcmpl-mock-N).
    const level = report.levels[0] as { origin_epoch_ms: number; records: { id: string; sentAt: number }[] };
    expect(mock.requests.slice(first)).toHaveLength(96);
    const writesOf = (id: string) => tokenWrites.get(Number(id.replace("chatcmpl-mock-", ""))) as number[];
    const trueTtft = level.records.map(
      (r) => (writesOf(r.id)[0] as number) - (level.origin_epoch_ms + r.sentAt),
    );
    // TPOT's truth by its definition, (E2E − TTFT) / (tokens − 1): from the first token to the end.
    const trueTpot = level.records.map((r) => {
      const writes = writesOf(r.id);
      const end = endWrites.get(Number(r.id.replace("chatcmpl-mock-", ""))) as number;
      return (end - (writes[0] as number)) / (writes.length - 1);
    });
    // Sanity of the truth itself: the mock waited about 200 ms, then wrote about every 10 ms.
    expect(median(trueTtft)).toBeGreaterThan(195);
    expect(median(trueTpot)).toBeGreaterThan(9.5);
    const ttftError = (report.median_ttft_ms as number) - median(trueTtft);
    const tpotError = (report.median_tpot_ms as number) - median(trueTpot);
    const loopDelay = report.client_event_loop_delay_p99_ms as number;
    if (loopDelay <= 2) {
      expect(Math.abs(ttftError)).toBeLessThan(2);
      expect(Math.abs(tpotError)).toBeLessThan(2);
    } else {
      // The OS ran the client late (a loaded machine: every wake-up waits for a core). No client can
      // measure better than it is scheduled; it must say so, and be off by no more than that delay.
      if (loopDelay > 10) {
        expect(report.warnings as string[]).toEqual(
          expect.arrayContaining([expect.stringMatching(/neared saturation/)]),
        );
      }
      const maxDelay = report.client_event_loop_delay_max_ms as number;
      expect(Math.abs(ttftError)).toBeLessThan(maxDelay + 2);
      expect(Math.abs(tpotError)).toBeLessThan(maxDelay / 19 + 2);
    }
    // The role chunk came ~200 ms before the first token, and was not taken for it.
    expect((report.median_ttft_ms as number) - (report.median_ttfc_ms as number)).toBeGreaterThan(150);
    expect(report.total_output_tokens).toBe(64 * 20);
    expect(report.usage_sources).toEqual({ server: 64 });
  }, 40_000);

  it("counts exactly the requests with an in-band error, a truncated stream or no [DONE] as failed", async () => {
    const first = mock.requests.length;
    const sequence = [
      "ok",
      "error-object",
      "ok",
      "truncated",
      "ok",
      "no-done",
      "ok",
      "event-error",
      "ok",
      "reset",
    ];
    mock.enqueue(...sequence);
    const json = join(dir, "faults.json");
    const run = await runCli(
      [
        "bench",
        "--base-url",
        mock.baseURL,
        "-m",
        "m",
        "--concurrency",
        "1",
        "--requests",
        "10",
        "--json",
        json,
      ],
      { timeoutMs: 20_000 },
    );
    expect(run.code).toBe(0);
    const report = readJson(json);
    const records = report.levels[0]?.records as {
      index: number;
      ok: boolean;
      errorClass?: string;
      outputTokens: number;
    }[];
    // One at a time, so request i of the benchmark is request i of the mock.
    expect(mock.requests.slice(first).map((r) => r.scenario)).toEqual(sequence);
    expect(records.filter((r) => !r.ok).map((r) => [r.index, r.errorClass])).toEqual([
      [1, "in_stream"],
      [3, "truncated"],
      [5, "truncated"],
      [7, "in_stream"],
      [9, "connection"],
    ]);
    expect(report.completed).toBe(5);
    expect(report.failed).toBe(5);
    expect(report.errors_by_class).toEqual({ in_stream: 2, truncated: 2, connection: 1 });
    // Only the five good answers' tokens count (the mock answer is 20 tokens).
    expect(report.total_output_tokens).toBe(5 * 20);
    expect(run.stdout).toMatch(/completed \/ failed\s+5 \/ 5/);
  }, 30_000);

  it("runs open-loop levels, the non-streamed pass, --compare and the HTML report", async () => {
    const json = join(dir, "open.json");
    const html = join(dir, "open.html");
    const run = await runCli(
      [
        "bench",
        "--base-url",
        `${mock.url}/s/scheduled/v1`,
        "-m",
        "m",
        "--rate",
        "20,40",
        "--arrivals",
        "constant",
        "--requests",
        "8",
        "--max-tokens",
        "5",
        "--header",
        "x-mock-first-token-ms=30",
        "--header",
        "x-mock-interval-ms=2",
        "--non-streaming-too",
        "--compare",
        `${mock.url}/s/ok/v1`,
        "--slo",
        "ttft=25ms,e2e=1s",
        "--json",
        json,
        "--html",
        html,
      ],
      { timeoutMs: 30_000 },
    );
    const report = readJson(json);
    // A loaded test machine may make the client late, against the target or the compared server;
    // then the run must say so, everywhere.
    const measured = [...report.levels, ...(report.compare as { levels: Record<string, unknown>[] }).levels];
    const lagged = measured.some((l) => (l.p99_schedule_lag_ms as number) > 10);
    expect(report.invalid).toBe(lagged);
    expect(run.code).toBe(lagged ? 1 : 0);
    if (lagged) {
      expect(run.stderr).toMatch(/INVALID RUN/);
      expect(run.stdout).toMatch(/INVALID RUN/);
    } else expect(run.stderr).toBe("");
    expect(report.levels.map((l) => l.request_rate)).toEqual([20, 40]);
    expect(report.levels[0]?.mean_schedule_lag_ms).toBeGreaterThanOrEqual(0);
    expect(report.levels[0]?.p99_ttft_from_scheduled_ms).toBeGreaterThanOrEqual(
      report.levels[0]?.p99_ttft_ms as number,
    );
    // First token 30 ms after the role chunk: no request meets a 25 ms TTFT SLO.
    expect(report.levels[0]?.good_fraction).toBe(0);
    const nonStreaming = report.non_streaming as Record<string, unknown>[];
    expect(nonStreaming.map((l) => l.streamed)).toEqual([false, false]);
    expect(nonStreaming[0]?.completed).toBe(8);
    const compare = report.compare as { base_url: string; levels: Record<string, unknown>[] };
    expect(compare.base_url).toBe(`${mock.url}/s/ok/v1`);
    expect(compare.levels.map((l) => l.completed)).toEqual([8, 8]);
    expect(run.stdout).toMatch(/difference \(compare − target\)/);
    expect(run.stdout).toMatch(/not streamed \(whole answer\)/);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<svg");
    expect(page).toContain("SLO 25 ms");
    expect(page).not.toMatch(/<script|<link|https?:\/\/(?!127\.0\.0\.1)/);
  }, 40_000);

  it("says what is wrong on one stderr line with exit code 2 for a bad option", async () => {
    for (const args of [
      ["--concurrency", "0"],
      ["--rate", "fast"],
      ["--concurrency", "1", "--rate", "1"],
      ["--slo", "ttft=soon"],
      ["--protocol", "grpc"],
      ["--burstiness", "0.5"],
    ]) {
      const run = await runCli(["bench", "--base-url", mock.baseURL, "-m", "m", ...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stdout).toBe("");
    }
  });

  it("passes --protocol through: ollama and responses both run against the mock", async () => {
    for (const protocol of ["ollama", "responses"]) {
      const run = await runCli(
        ["bench", "--base-url", `${mock.url}/s/ok/v1`, "-m", "m", "--protocol", protocol, "--requests", "3"],
        { timeoutMs: 15_000 },
      );
      expect(run.code, `${protocol}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/completed \/ failed\s+3 \/ 0/);
    }
    const cut = await runCli(
      [
        "bench",
        "--base-url",
        `${mock.url}/s/truncated/v1`,
        "-m",
        "m",
        "--protocol",
        "responses",
        "--requests",
        "2",
      ],
      { timeoutMs: 15_000 },
    );
    // A Responses stream with no terminal event is a failed request, as a cut chat stream is.
    expect(cut.stdout).toMatch(/completed \/ failed\s+0 \/ 2/);
  }, 45_000);

  it("gives up on a stalled request at --request-timeout, as a timeout", async () => {
    const run = await runCli(
      [
        "bench",
        "--base-url",
        `${mock.url}/s/stall/v1`,
        "-m",
        "m",
        "--requests",
        "2",
        "--request-timeout",
        "0.5",
      ],
      { timeoutMs: 15_000 },
    );
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/timeout 2/);
  });

  it.each([
    ["SIGINT", 130, /interrupted/],
    ["SIGTERM", 143, /terminated/],
  ] as const)(
    "stops on %s (Ctrl-C, or `timeout`/`docker stop`), still prints the report, and exits %i",
    async (signal, exitCode, said) => {
      const before = mock.requests.length;
      const cli = startCli([
        "bench",
        "--base-url",
        `${mock.url}/s/stall/v1`,
        "-m",
        "m",
        "--concurrency",
        "4",
      ]);
      // Interrupt once all four requests are in flight (the handler is set before the first is sent).
      const deadline = performance.now() + 10_000;
      while (mock.requests.length < before + 4 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      cli.child.kill(signal);
      const { code } = await cli.exited;
      expect(code).toBe(exitCode);
      expect(cli.stderr()).toMatch(said);
      expect(cli.stdout()).toMatch(/aborted 4/);
    },
    20_000,
  );

  it("exits with the connection code when every request fails to connect", async () => {
    const closed = await createMockServer();
    const url = closed.baseURL;
    await closed.close();
    const run = await runCli(["bench", "--base-url", url, "-m", "m", "--requests", "2"], {
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/every request failed/);
    expect(run.stdout).toMatch(/connection 2/);
  }, 20_000);
});

const stories = fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));

describe("llmstream bench on the embedded engine", () => {
  it("--model-file measures the engine in process with the same report, tokens from its tokenizer", async () => {
    const json = join(dir, "engine.json");
    const run = await runCli(
      [
        "bench",
        "--model-file",
        stories,
        "--concurrency",
        "1,2",
        "--requests",
        "4",
        "--max-tokens",
        "12",
        "--prompt-tokens",
        "8",
        "--json",
        json,
      ],
      { timeoutMs: 90_000 },
    );
    expect(run.code).toBe(0);
    const report = readJson(json);
    expect(report.backend).toBe("engine");
    for (const level of report.levels) {
      expect(level.completed).toBe(4);
      expect(level.failed).toBe(0);
      expect(level.usage_sources).toEqual({ engine: 4 });
      // stories260K never stops on its own: every answer runs to the limit.
      expect(level.total_output_tokens).toBe(4 * 12);
      expect(level.median_ttft_ms as number).toBeGreaterThan(0);
      expect(level.median_ttft_ms as number).toBeLessThan(level.median_e2el_ms as number);
      expect(level.median_tpot_ms as number).toBeGreaterThan(0);
    }
    expect(run.stdout).toMatch(/engine:.*stories260K\.gguf/);
  }, 100_000);
});
