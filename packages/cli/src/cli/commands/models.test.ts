import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelListing } from "@llmstream/engine";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomLlamaModel, storiesModel } from "../../../../engine/src/engineTestModels.test-helper.js";
import { formatBytes, formatCount, registerModelsCommand } from "./models.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmstream-models-cli-"));
  await copyFile(randomLlamaModel, join(dir, "tiny-random.gguf"));
  await writeFile(join(dir, "broken.gguf"), "not a model");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const exit = { code: -1 };
  const program = new Command("llmstream").exitOverride();
  registerModelsCommand(program, exit, {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
  });
  await program.parseAsync(args, { from: "user" });
  return { code: exit.code, stdout: out.join(""), stderr: err.join("") };
}

describe("llmstream models", () => {
  it("lists the folder's models and the LLMSTREAM_MODEL_FILE one as JSON, marking the default", async () => {
    const { code, stdout } = await run(["models", "--json"], {
      LLMSTREAM_MODELS_DIR: dir,
      LLMSTREAM_MODEL_FILE: storiesModel,
    });
    expect(code).toBe(0);
    const listings = JSON.parse(stdout) as ModelListing[];
    expect(listings.map((listing) => [listing.file, listing.source, listing.default])).toEqual([
      [join(dir, "broken.gguf"), "models-dir", false],
      [join(dir, "tiny-random.gguf"), "models-dir", false],
      [storiesModel, "env", true],
    ]);
    expect(listings[0]?.error).toMatch(/not a GGUF model/);
    expect(listings[1]).toMatchObject({
      architecture: "llama",
      contextLength: 4096,
      hasChatTemplate: false,
      fileType: "F16",
    });
    expect(listings[2]).toMatchObject({
      sizeBytes: 1185376,
      contextLength: 2048,
      parameterCount: expect.any(Number),
    });
  });

  it("prints a table with size, architecture, parameters, context and chat template", async () => {
    const { code, stdout } = await run(["models", "--models-dir", dir], {
      LLMSTREAM_MODEL_FILE: storiesModel,
    });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s+MODEL\s+SIZE\s+ARCH\s+PARAMS\s+CONTEXT\s+CHAT TEMPLATE\s+TYPE\s+PATH$/);
    expect(stdout).toMatch(
      /\*\s+stories260K\s+1\.2 MB\s+llama\s+\d+K\s+2048\s+no \(plain completion\)\s+F32/,
    );
    expect(stdout).toMatch(/tiny-random\s+1\.8 MB\s+llama/);
    expect(stdout).toMatch(/broken\s+11 B\s+ERROR/);
    expect(stdout).toMatch(/^! Model file .*broken\.gguf is not a GGUF model/m);
  });

  it("says how to get a model when there is none", async () => {
    const empty = join(dir, "empty");
    const { stdout } = await run(["models", "--models-dir", empty], {});
    // The development fallback beside the repository is always listed when it exists.
    expect(stdout).toContain("stories260K");
    const none = await import("./models.js").then((module) => module.formatModelTable([], empty));
    expect(none).toContain("llmstream pull");
  });
});

describe("formatting", () => {
  it("formats sizes and counts", () => {
    expect(formatBytes(1185376)).toBe("1.2 MB");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatCount(292_000)).toBe("292K");
    expect(formatCount(7_240_000_000)).toBe("7.2B");
  });
});

describe("llmstream models --base-url", () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await createMockServer();
  });
  afterAll(() => mock.close());

  it("lists an OpenAI-compatible server's models (GET /v1/models)", async () => {
    const table = await run(["models", "--base-url", mock.baseURL], {});
    expect(table).toEqual({ code: 0, stdout: "mock-model  llmstream-mock\n", stderr: "" });
    const json = await run(["models", "--json", "--base-url", `${mock.baseURL}/`], {});
    expect(JSON.parse(json.stdout)).toEqual([{ id: "mock-model", ownedBy: "llmstream-mock" }]);
  });

  it("lists an Ollama server's models with --protocol ollama (GET /api/tags)", async () => {
    const { code, stdout } = await run(
      ["models", "--json", "--protocol", "ollama", "--base-url", mock.url],
      {},
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([{ id: "mock-model:latest", sizeBytes: 0 }]);
    expect(mock.requests.some((request) => request.path === "/api/tags")).toBe(true);
  });

  it("exits 3 when nothing answers, 4 on an HTTP error, 2 on a bad --protocol", async () => {
    const refused = await run(["models", "--base-url", "http://127.0.0.1:1/v1"], {});
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^llmstream models: Nothing answered at http:\/\/127\.0\.0\.1:1\/v1\/models/,
    );
    const wrong = await run(["models", "--base-url", `${mock.url}/nothing/here`], {});
    expect(wrong.code).toBe(4);
    const usage = await run(["models", "--base-url", mock.url, "--protocol", "grpc"], {});
    expect(usage.code).toBe(2);
  });
});
