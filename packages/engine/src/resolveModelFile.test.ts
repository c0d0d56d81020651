import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "./engineTestModels.test-helper.js";
import {
  defaultModelsDir,
  developmentModelFile,
  findLocalModels,
  resolveModelFile,
} from "./resolveModelFile.js";

let root: string;
let modelsDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "llmstream-resolve-"));
  modelsDir = join(root, "models");
  await mkdir(modelsDir);
  await writeFile(join(modelsDir, "b-older.gguf"), "x");
  await writeFile(join(modelsDir, "a-newer.gguf"), "x");
  await writeFile(join(modelsDir, "c-partial.gguf.part"), "x");
  await writeFile(join(modelsDir, "notes.txt"), "x");
  await mkdir(join(modelsDir, "folder.gguf"));
  await utimes(join(modelsDir, "b-older.gguf"), new Date(1_000_000), new Date(1_000_000));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("defaultModelsDir", () => {
  it("follows each platform's cache convention", () => {
    expect(defaultModelsDir({}, "linux", "/home/u")).toBe("/home/u/.cache/llmstream/models");
    expect(defaultModelsDir({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/llmstream/models");
    expect(defaultModelsDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/llmstream/models");
    expect(defaultModelsDir({ LOCALAPPDATA: "/appdata" }, "win32", "/home/u")).toBe(
      join("/appdata", "llmstream", "models"),
    );
  });

  it("gives LLMSTREAM_MODELS_DIR precedence", () => {
    expect(defaultModelsDir({ LLMSTREAM_MODELS_DIR: "/models", XDG_CACHE_HOME: "/xdg" }, "linux", "/h")).toBe(
      "/models",
    );
  });
});

describe("findLocalModels", () => {
  it("lists only .gguf files, sorted by name", async () => {
    const found = await findLocalModels(modelsDir);
    expect(found.map((entry) => entry.file)).toEqual([
      join(modelsDir, "a-newer.gguf"),
      join(modelsDir, "b-older.gguf"),
    ]);
    expect(found[0]?.sizeBytes).toBe(1);
  });

  it("returns nothing for a missing folder", async () => {
    expect(await findLocalModels(join(root, "missing"))).toEqual([]);
  });
});

describe("resolveModelFile", () => {
  const emptyEnv = { LLMSTREAM_MODELS_DIR: join(root ?? tmpdir(), "none") };

  it("prefers the explicit file, even a missing one", async () => {
    const env = { LLMSTREAM_MODEL_FILE: "/env.gguf", LLMSTREAM_MODELS_DIR: modelsDir };
    expect(await resolveModelFile({ modelFile: "/flag.gguf", env })).toBe("/flag.gguf");
  });

  it("then LLMSTREAM_MODEL_FILE", async () => {
    expect(
      await resolveModelFile({ env: { LLMSTREAM_MODEL_FILE: "/env.gguf", LLMSTREAM_MODELS_DIR: modelsDir } }),
    ).toBe("/env.gguf");
  });

  it("then the newest model in the models folder", async () => {
    expect(await resolveModelFile({ env: { LLMSTREAM_MODELS_DIR: modelsDir } })).toBe(
      join(modelsDir, "a-newer.gguf"),
    );
  });

  it("then the development fallback beside the repository, when it exists", async () => {
    expect(developmentModelFile).toBe(storiesModel);
    expect(await resolveModelFile({ env: { LLMSTREAM_MODELS_DIR: join(root, "empty") } })).toBe(storiesModel);
    expect(
      await resolveModelFile({
        env: emptyEnv,
        modelsDir: join(root, "empty"),
        developmentFallback: join(root, "no.gguf"),
      }),
    ).toBeUndefined();
    expect(
      await resolveModelFile({ modelsDir: join(root, "empty"), developmentFallback: false, env: {} }),
    ).toBeUndefined();
  });
});
