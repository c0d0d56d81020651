import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isModelError, type ModelError } from "llmstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatMlTemplate,
  randomLlamaModel,
  storiesModel,
  withChatTemplate,
} from "./engineTestModels.test-helper.js";
import { readGgufMetadata } from "./readGgufMetadata.js";

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "llmstream-gguf-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function truncatedCopy(bytes: number): Promise<string> {
  const file = join(directory, `truncated-${bytes}.gguf`);
  const handle = await open(storiesModel, "r");
  const buffer = Buffer.alloc(bytes);
  await handle.read(buffer, 0, bytes, 0);
  await handle.close();
  await writeFile(file, buffer);
  return file;
}

async function expectModelError(file: string, reason: ModelError["reason"]): Promise<ModelError> {
  const error = await readGgufMetadata(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isModelError(error)).toBe(true);
  const modelError = error as ModelError;
  expect(modelError.reason).toBe(reason);
  expect(modelError.code).toBe("model");
  expect(modelError.file).toBe(file);
  expect(modelError.message).toContain(file);
  return modelError;
}

describe("readGgufMetadata", () => {
  it("reads stories260K: llama, 2048 context, no chat template, all F32", async () => {
    const info = await readGgufMetadata(storiesModel);
    expect(info).toMatchObject({
      architecture: "llama",
      contextLength: 2048,
      hasChatTemplate: false,
      fileType: "F32",
      sizeBytes: 1185376,
      ggufVersion: 3,
      tensorCount: 48,
    });
    // All tensors are F32, so the parameter count is the tensor bytes over 4: about 260K.
    expect(info.parameterCount).toBeGreaterThan(250_000);
    expect(info.parameterCount).toBeLessThan(300_000);
    expect(info.parameterCount * 4).toBeLessThan(info.sizeBytes);
  });

  it("reads llama-2-tiny-random: F16 file type, 4096 context, 32000-token vocabulary skipped", async () => {
    const info = await readGgufMetadata(randomLlamaModel);
    expect(info).toMatchObject({
      architecture: "llama",
      contextLength: 4096,
      fileType: "F16",
      name: "LLaMA v2",
    });
    // The 32000 × 8 embedding and output tensors alone hold 512,000 parameters.
    expect(info.parameterCount).toBeGreaterThan(512_000);
  });

  it("sees a chat template", async () => {
    const copy = await withChatTemplate(storiesModel, chatMlTemplate);
    try {
      const info = await readGgufMetadata(copy.file);
      expect(info.hasChatTemplate).toBe(true);
      expect(info.chatTemplate).toBe(chatMlTemplate);
      expect(info.parameterCount).toBe((await readGgufMetadata(storiesModel)).parameterCount);
    } finally {
      await copy.cleanup();
    }
  });

  it("reports a missing file", async () => {
    const error = await expectModelError(join(directory, "nope.gguf"), "missing");
    expect(error.message).toContain("download a model with pullModel");
  });

  it("reports a directory", async () => {
    await expectModelError(directory, "not-a-file");
  });

  it("reports an empty file", async () => {
    const file = join(directory, "empty.gguf");
    await writeFile(file, "");
    await expectModelError(file, "empty");
  });

  it("reports a file that is not GGUF", async () => {
    const file = join(directory, "text.gguf");
    await writeFile(file, "<html>Not found</html>\n");
    const error = await expectModelError(file, "not-gguf");
    expect(error.message).toContain("magic");
  });

  it("reports a GGUF header with garbage after the magic", async () => {
    const file = join(directory, "garbage.gguf");
    await writeFile(
      file,
      Buffer.concat([Buffer.from("GGUF"), Buffer.from([3, 0, 0, 0]), Buffer.alloc(64, 0xff)]),
    );
    await expectModelError(file, "not-gguf");
  });

  it.each([10, 5000, 14_100, 20_000, 1_185_000])("reports a file truncated to %i bytes", async (bytes) => {
    const error = await expectModelError(await truncatedCopy(bytes), "truncated");
    expect(error.message).toContain("Download it again");
  });
});
