import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "./cliProcess.js";

// The embedded engine, driven through the real CLI with the tiny models in ../shared/models.
const models = fileURLToPath(new URL("../../../shared/models/", import.meta.url));
const stories = join(models, "stories260K.gguf");
let emptyModelsDir: string;

beforeAll(() => {
  ensureBuilt();
  emptyModelsDir = mkdtempSync(join(tmpdir(), "llmstream-no-models-"));
});

const plainCompletionWarning = /^warning: .*no chat template.*plain text completion/m;

describe("llmstream chat on the embedded engine", () => {
  it("--model-file streams a story and counts tokens with the engine's tokenizer", async () => {
    const run = await runCli(
      [
        "chat",
        "--model-file",
        stories,
        "--max-tokens",
        "24",
        "--temperature",
        "0",
        "--stats",
        "Once upon a time",
      ],
      { timeoutMs: 60_000 },
    );
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(20);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(plainCompletionWarning);
    expect(lines[1]).toMatch(/^TTFT \d+ ms · 24 tokens \(engine\) · \d+\.\d tok\/s · \d+\.\d\d s$/);
  });

  it("gives the same text twice at temperature 0, and the done event in --json adds up", async () => {
    const args = [
      "chat",
      "--json",
      "--model-file",
      stories,
      "--max-tokens",
      "20",
      "--temperature",
      "0",
      "Once",
    ];
    const first = await runCli(args, { timeoutMs: 60_000 });
    const second = await runCli(args, { timeoutMs: 60_000 });
    expect(first.code).toBe(0);
    const events = first.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; text?: string; usage?: { source: string } });
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    expect(done?.usage?.source).toBe("engine");
    const text = events.filter((event) => event.type === "text").map((event) => event.text);
    expect(text.join("")).toBe(done?.text);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trimEnd().split("\n").at(-1)).toContain(JSON.stringify(done?.text));
  });

  it("falls back to the engine, saying so once, when no server answers at the default URL", async () => {
    // Assumes nothing listens on localhost:11434, as on the build machines and CI.
    const run = await runCli(["chat", "--max-tokens", "12", "Once upon a time"], {
      env: { LLMSTREAM_MODELS_DIR: emptyModelsDir },
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(5);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^llmstream: no server at http:\/\/localhost:11434\/v1 \(connection refused\): the answer comes from the local model file .*stories260K\.gguf, run by the embedded engine \(start a server or pass --base-url to use one\)$/,
    );
    expect(lines[1]).toMatch(plainCompletionWarning);
    expect(lines).toHaveLength(2);
  });

  it("never falls back when a server URL was given", async () => {
    const run = await runCli(["chat", "--retries", "0", "--base-url", "http://127.0.0.1:9/v1", "Hi"], {
      env: { LLMSTREAM_MODELS_DIR: emptyModelsDir },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: Could not connect to 127\.0\.0\.1:9/);
    expect(run.stderr).not.toMatch(/embedded engine/);
  });

  it.each([
    ["a missing file", join(emptyModelsDirPlaceholder(), "nope.gguf"), /nope\.gguf/],
    ["a directory", models, /shared\/models/],
    ["a file that is not GGUF", join(models, "README.md"), /README\.md/],
  ])("%s gives one clear stderr line naming it and exit 1", async (_what, file, names) => {
    const run = await runCli(["chat", "--model-file", file, "Hi"], { timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(names);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses --model-file together with --base-url", async () => {
    const run = await runCli(["chat", "--model-file", stories, "--base-url", "http://127.0.0.1:9/v1", "Hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--model-file .* --base-url/);
  });
});

/** A folder that exists while the table is built (before beforeAll runs). */
function emptyModelsDirPlaceholder(): string {
  return mkdtempSync(join(tmpdir(), "llmstream-missing-"));
}
