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
});
