import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isModelError } from "llmstream";
import { afterAll, describe, expect, it } from "vitest";
import {
  acquireContext,
  defaultEngineThreads,
  disposeEngine,
  loadEngineModel,
  shouldUseGpu,
} from "./engineRuntime.js";
import { storiesModel } from "./engineTestModels.test-helper.js";

afterAll(async () => {
  await disposeEngine();
});

describe("defaultEngineThreads", () => {
  it("uses one thread for tiny models and every core for large ones", () => {
    expect(defaultEngineThreads(292_800, 16)).toBe(1);
    expect(defaultEngineThreads(7_000_000_000, 16)).toBe(16);
    expect(defaultEngineThreads(7_000_000_000, 0)).toBe(1);
  });
});

describe("shouldUseGpu", () => {
  it("honours LLMSTREAM_ENGINE_GPU and assumes a GPU on macOS", () => {
    expect(shouldUseGpu({ LLMSTREAM_ENGINE_GPU: "off" }, "darwin")).toBe(false);
    expect(shouldUseGpu({ LLMSTREAM_ENGINE_GPU: "auto" }, "linux")).toBe(true);
    expect(shouldUseGpu({}, "darwin")).toBe(true);
  });
});

describe("acquireContext", () => {
  it("reuses an idle context, with its history cleared", async () => {
    const engine = await loadEngineModel(storiesModel);
    const first = await acquireContext(engine, { contextSize: 512, threads: 1 });
    const tokens = engine.model.tokenize("Once upon a time");
    for await (const _ of first.sequence.evaluate(tokens, { temperature: 0 })) break;
    expect(first.sequence.nextTokenIndex).toBeGreaterThan(0);
    await first.release();
    const second = await acquireContext(engine, { contextSize: 512, threads: 1 });
    expect(second.context).toBe(first.context);
    expect(second.sequence.nextTokenIndex).toBe(0);
    // A concurrent request gets its own context.
    const third = await acquireContext(engine, { contextSize: 512, threads: 1 });
    expect(third.context).not.toBe(second.context);
    await third.release();
    await second.release();
  });

  it("keeps up to keepIdle released contexts, so parallel requests all reuse one", async () => {
    const engine = await loadEngineModel(storiesModel);
    const shape = { contextSize: 256, threads: 1, keepIdle: 2 };
    const a = await acquireContext(engine, shape);
    const b = await acquireContext(engine, shape);
    const c = await acquireContext(engine, shape);
    await Promise.all([a.release(), b.release(), c.release()]);
    const kept = [a, b, c].filter((lease) => !lease.context.disposed).map((lease) => lease.context);
    expect(kept).toHaveLength(2);
    const again = [await acquireContext(engine, shape), await acquireContext(engine, shape)];
    expect(new Set(again.map((lease) => lease.context))).toEqual(new Set(kept));
    await Promise.all(again.map((lease) => lease.release()));
  });
});

describe("loadEngineModel", () => {
  it("turns llama.cpp's refusal of a well-formed but wrong file into a ModelError quoting its log", async () => {
    const bytes = await readFile(storiesModel);
    const at = bytes.indexOf("output_norm.weight");
    expect(at).toBeGreaterThan(0);
    // Same length, so the header stays valid: only llama.cpp notices the missing tensor.
    bytes.write("output_norx.weight", at);
    const file = join(tmpdir(), `llmstream-renamed-${process.pid}.gguf`);
    await writeFile(file, bytes);
    try {
      const error = await loadEngineModel(file).catch((caught: unknown) => caught);
      expect(isModelError(error)).toBe(true);
      expect(error).toMatchObject({ reason: "load-failed", file });
      expect((error as Error).message).toContain("missing tensor 'output_norm.weight'");
    } finally {
      await rm(file, { force: true });
    }
  });
});

describe("disposeEngine", () => {
  it("settles after a failed load even once the half-built model is garbage-collected", async () => {
    await loadEngineModel(storiesModel);
    const bytes = await readFile(storiesModel);
    bytes.write("output_norx.weight", bytes.indexOf("output_norm.weight"));
    const file = join(tmpdir(), `llmstream-collected-${process.pid}.gguf`);
    await writeFile(file, bytes);
    try {
      expect(isModelError(await loadEngineModel(file).catch((caught: unknown) => caught))).toBe(true);
    } finally {
      await rm(file, { force: true });
    }
    // node-llama-cpp's failed model object is only weakly held: collect it, as a busy process would.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    for (let round = 0; round < 3; round += 1) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const outcome = await Promise.race([
      disposeEngine().then(() => "settled"),
      new Promise((resolve) => setTimeout(resolve, 5_000, "still waiting after 5 s")),
    ]);
    expect(outcome).toBe("settled");
    // The next request starts afresh.
    const engine = await loadEngineModel(storiesModel);
    expect(engine.model.disposed).toBe(false);
  });
});
