import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FinishInfo, StreamEvent } from "llmstream";
import { isModelError } from "llmstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeEngine, loadEngineModel } from "./engineRuntime.js";
import { storiesModel } from "./engineTestModels.test-helper.js";
import { streamEngineChat } from "./streamEngineChat.js";

const messages = [{ role: "user", content: "Once upon a time" }];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmstream-engine-chat-"));
});
afterAll(async () => {
  await disposeEngine();
  await rm(dir, { recursive: true, force: true });
});

describe("streamEngineChat", () => {
  it("yields the same events and result as the HTTP client, with engine usage and metrics", async () => {
    let finish: FinishInfo | undefined;
    const stream = streamEngineChat({
      modelFile: storiesModel,
      messages,
      maxTokens: 64,
      temperature: 0,
      onFinish: (info) => (finish = info),
    });
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const result = await stream.result;
    const texts = events.filter((event) => event.type === "text");
    expect(texts.length).toBeGreaterThan(30);
    expect(texts.map((event) => event.text).join("")).toBe(result.text);
    expect(events.map((event) => event.type).slice(-2)).toEqual(["usage", "done"]);
    expect(result.finishReason).toBe("length");
    expect(result.usage).toMatchObject({ completionTokens: 64, source: "engine" });
    expect(result.usage.promptTokens).toBeGreaterThan(1);
    expect(result.model).toBe("stories260K");
    expect(result.warnings).toEqual([
      "Model stories260K has no chat template; ran as plain text completion of the prompt",
    ]);
    expect(result.metrics.ttftMs).toBeGreaterThan(0);
    expect(result.metrics.tokensPerSecond).toBeGreaterThan(0);
    expect(result.metrics.tokenChunks).toBe(texts.length);
    expect(finish?.request).toMatchObject({
      protocol: "engine",
      url: `engine:${storiesModel}`,
      model: "stories260K",
    });
  });

  it("stops on abort() with the partial text and finishReason aborted", async () => {
    const stream = streamEngineChat({
      modelFile: storiesModel,
      messages,
      maxTokens: 100_000,
      temperature: 0,
    });
    let seen = 0;
    for await (const event of stream) {
      if (event.type === "text" && ++seen === 10) stream.abort();
    }
    const result = await stream.result;
    expect(result.finishReason).toBe("aborted");
    // Within one token: the abort came after the 10th text event.
    expect(seen).toBeLessThanOrEqual(11);
    expect(result.text.length).toBeGreaterThan(0);
    // The counts stay the engine's own, not an estimate: the request log keeps them for aborts too.
    const { model } = await loadEngineModel(storiesModel);
    const promptTokens = 1 + model.tokenize("Once upon a time").length;
    expect(result.usage).toEqual({
      promptTokens,
      completionTokens: seen,
      totalTokens: promptTokens + seen,
      source: "engine",
    });
  });

  it("applies the total timeout", async () => {
    const stream = streamEngineChat({
      modelFile: storiesModel,
      messages,
      maxTokens: 1_000_000,
      contextSize: 2048,
      temperature: 0,
      timeouts: { totalMs: 300 },
    });
    const error = await stream.result.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "timeout", kind: "total" });
  });

  it("ends with an error event naming a truncated model file", async () => {
    const file = join(dir, "cut.gguf");
    const handle = await open(storiesModel, "r");
    const buffer = Buffer.alloc(600_000);
    await handle.read(buffer, 0, buffer.length, 0);
    await handle.close();
    await writeFile(file, buffer);
    const events: StreamEvent[] = [];
    const stream = streamEngineChat({ modelFile: file, messages });
    for await (const event of stream) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe("error");
    if (last?.type !== "error") return;
    expect(last.code).toBe("model");
    expect(isModelError(last.error)).toBe(true);
    expect(last.message).toContain(file);
    expect(last.message).toMatch(/truncated/);
  });
});
