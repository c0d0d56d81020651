import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomLlamaModel, storiesModel } from "./engineTestModels.test-helper.js";
import { listModels } from "./listModels.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmstream-list-models-"));
  await copyFile(randomLlamaModel, join(dir, "tiny-random.gguf"));
  await writeFile(join(dir, "broken.gguf"), "not a model");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("listModels", () => {
  it("lists the folder's files from their headers, a broken one with its error, and the env file last as default", async () => {
    const listings = await listModels({ env: { LLMSTREAM_MODEL_FILE: storiesModel }, modelsDir: dir });
    expect(listings.map((l) => [l.file, l.source, l.default])).toEqual([
      [join(dir, "broken.gguf"), "models-dir", false],
      [join(dir, "tiny-random.gguf"), "models-dir", false],
      [storiesModel, "env", true],
    ]);
    const [broken, random, stories] = listings;
    expect(broken?.error).toMatch(/GGUF/i);
    expect(broken?.sizeBytes).toBe("not a model".length);
    expect(random).toMatchObject({ architecture: "llama", hasChatTemplate: expect.any(Boolean) });
    expect(stories).toMatchObject({ architecture: "llama", hasChatTemplate: false });
    expect(stories?.parameterCount).toBeGreaterThan(200_000);
  });

  it("marks the folder's file as default when nothing else is configured", async () => {
    const only = await mkdtemp(join(tmpdir(), "llmstream-list-models-one-"));
    try {
      await copyFile(randomLlamaModel, join(only, "one.gguf"));
      const listings = await listModels({ env: { LLMSTREAM_MODELS_DIR: only } });
      expect(listings.map((l) => [l.file, l.default])).toEqual([[join(only, "one.gguf"), true]]);
    } finally {
      await rm(only, { recursive: true, force: true });
    }
  });
});
