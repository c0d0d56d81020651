import { isModelError } from "llmstream";
import { getLlama, LlamaCompletion } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { createEngineDeltaSource, type EnginePreparedInfo } from "./createEngineDeltaSource.js";
import { disposeEngine, loadEngineModel } from "./engineRuntime.js";
import {
  chatMlTemplate,
  type Recording,
  randomLlamaModel,
  runSource,
  storiesModel,
  withChatTemplate,
} from "./engineTestModels.test-helper.js";

const story = [{ role: "user", content: "Once upon a time" }];

afterAll(async () => {
  await disposeEngine();
});

describe("createEngineDeltaSource", () => {
  it("streams stories260K token by token with counts from the model's tokenizer", async () => {
    let prepared: EnginePreparedInfo | undefined;
    const source = createEngineDeltaSource(
      { modelFile: storiesModel, messages: story, maxTokens: 40, temperature: 0 },
      (info) => (prepared = info),
    );
    const recording = await runSource(source);
    expect(recording.responded).toBe(true);
    expect(prepared?.plainCompletion).toBe(true);
    expect(prepared?.threads).toBe(1);
    expect(recording.model).toBe("stories260K");
    expect(recording.finish).toBe("length");
    expect(recording.ended).toBe(true);
    expect(recording.texts.length).toBeGreaterThan(20);
    expect(recording.text()).toMatch(/^, there was a little girl/);
    const { model } = await loadEngineModel(storiesModel);
    // BOS + the prompt's own tokens.
    const promptTokens = 1 + model.tokenize("Once upon a time").length;
    expect(recording.usage).toEqual({
      usage: { promptTokens, completionTokens: 40, totalTokens: promptTokens + 40 },
      source: "engine",
    });
    const tokensInTextEvents = recording.texts.reduce((sum, entry) => sum + (entry.tokens ?? 0), 0);
    expect(tokensInTextEvents).toBe(40);
    expect(recording.calls.slice(-3)).toEqual(["usage", "finish", "end"]);
  });

  it("produces the same greedy text as node-llama-cpp used directly", async () => {
    const recording = await runSource(
      createEngineDeltaSource({ modelFile: storiesModel, messages: story, maxTokens: 60, temperature: 0 }),
    );
    const llama = await getLlama({ build: "never", gpu: false, maxThreads: 1 });
    const model = await llama.loadModel({ modelPath: storiesModel });
    const context = await model.createContext({ contextSize: 2048, threads: 1 });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const direct = await completion.generateCompletion("Once upon a time", {
      maxTokens: 60,
      temperature: 0,
      repeatPenalty: false,
    });
    await llama.dispose();
    expect(recording.text()).toBe(direct);
  });

  it("is reproducible with temperature 0 and with a seed", async () => {
    const run = (options: { temperature: number; seed?: number }) =>
      runSource(
        createEngineDeltaSource({ modelFile: storiesModel, messages: story, maxTokens: 50, ...options }),
      );
    expect((await run({ temperature: 0 })).text()).toBe((await run({ temperature: 0 })).text());
    const seeded = (await run({ temperature: 1, seed: 42 })).text();
    expect((await run({ temperature: 1, seed: 42 })).text()).toBe(seeded);
    const others = [7, 8, 9].map((seed) =>
      run({ temperature: 1, seed }).then((recording) => recording.text()),
    );
    // Different seeds sample differently (three tries so one coincidence cannot fail the test).
    expect((await Promise.all(others)).some((text) => text !== seeded)).toBe(true);
  });

  it("stops within one token of an abort and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    let seen: Recording | undefined;
    const error = await runSource(
      createEngineDeltaSource({
        modelFile: storiesModel,
        messages: story,
        maxTokens: 10_000,
        temperature: 0,
      }),
      {
        signal: controller.signal,
        onStep: (recording) => {
          seen = recording;
          if (recording.texts.length === 5) controller.abort(reason);
        },
      },
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBe(reason);
    // No token after the abort: the source checks the signal before asking for the next one.
    expect(seen?.texts.length).toBe(5);
    expect(seen?.ended).toBe(false);
  });

  it("stops when the signal aborts while a token is being generated", async () => {
    const controller = new AbortController();
    let seen: Recording | undefined;
    const source = createEngineDeltaSource({
      modelFile: storiesModel,
      messages: story,
      maxTokens: 10_000,
      temperature: 0,
    });
    const error = await runSource(source, {
      signal: controller.signal,
      onStep: (recording) => {
        seen = recording;
        // Abort from outside the step, while llama.cpp decodes the next token.
        if (recording.texts.length === 3) setImmediate(() => controller.abort());
      },
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("AbortError");
    expect(seen?.texts.length).toBeLessThanOrEqual(4);
  });

  it("cuts the text before a stop sequence and finishes with stop", async () => {
    const recording = await runSource(
      createEngineDeltaSource({
        modelFile: storiesModel,
        messages: story,
        maxTokens: 100,
        temperature: 0,
        stop: "Lily",
      }),
    );
    expect(recording.finish).toBe("stop");
    expect(recording.text()).toBe(", there was a little girl named ");
  });

  it("puts the system text before the last user message for a base model", async () => {
    const withSystem = await runSource(
      createEngineDeltaSource({
        modelFile: storiesModel,
        messages: [
          { role: "system", content: "Tom had a dog." },
          { role: "user", content: "ignored earlier turn" },
          { role: "assistant", content: "ignored answer" },
          { role: "user", content: "Once upon a time" },
        ],
        maxTokens: 5,
        temperature: 0,
      }),
    );
    const { model } = await loadEngineModel(storiesModel);
    expect(withSystem.usage?.usage.promptTokens).toBe(
      1 + model.tokenize("Tom had a dog.\n\nOnce upon a time").length,
    );
  });

  it("loads llama-2-tiny-random and streams its (random) tokens", async () => {
    const recording = await runSource(
      createEngineDeltaSource({
        modelFile: randomLlamaModel,
        messages: story,
        maxTokens: 12,
        temperature: 0,
      }),
    );
    expect(recording.usage?.usage.completionTokens).toBe(
      recording.finish === "length" ? 12 : expect.any(Number),
    );
    expect(recording.usage?.usage.promptTokens).toBeGreaterThan(1);
    expect(recording.ended).toBe(true);
  });

  it("uses the chat template when the model has one", async () => {
    const copy = await withChatTemplate(storiesModel, chatMlTemplate);
    try {
      let prepared: EnginePreparedInfo | undefined;
      const recording = await runSource(
        createEngineDeltaSource(
          { modelFile: copy.file, messages: story, maxTokens: 8, temperature: 0 },
          (info) => (prepared = info),
        ),
      );
      expect(prepared?.plainCompletion).toBe(false);
      const { model } = await loadEngineModel(copy.file);
      const plainTokens = 1 + model.tokenize("Once upon a time").length;
      // The template wraps the message in <|im_start|>user … <|im_end|> and opens the assistant turn.
      expect(recording.usage?.usage.promptTokens).toBeGreaterThan(plainTokens + 10);
      expect(recording.ended).toBe(true);
    } finally {
      await copy.cleanup();
    }
  });

  it("keeps one loaded model per file", async () => {
    const first = await loadEngineModel(storiesModel);
    expect(await loadEngineModel(storiesModel)).toBe(first);
  });

  it("fails with a ModelError naming a missing file", async () => {
    const error = await runSource(
      createEngineDeltaSource({ modelFile: "/nonexistent/model.gguf", messages: story }),
    ).catch((caught: unknown) => caught);
    expect(isModelError(error)).toBe(true);
    expect((error as Error).message).toContain("/nonexistent/model.gguf");
  });

  it("generates 200 tokens quickly with the default thread count", async () => {
    const started = performance.now();
    const recording = await runSource(
      createEngineDeltaSource({ modelFile: storiesModel, messages: story, maxTokens: 200, temperature: 0 }),
    );
    expect(recording.usage?.usage.completionTokens).toBe(200);
    // With every core on this 2-core machine 200 tokens once took 111 s; one thread takes well under 1 s.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
