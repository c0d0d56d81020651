import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../../../engine/src/engineTestModels.test-helper.js";
import { chooseBackend } from "./chooseBackend.js";
import { resolveChatOptions } from "./resolveChatOptions.js";

let emptyModelsDir: string;
let refusedURL: string;

beforeAll(async () => {
  emptyModelsDir = await mkdtemp(join(tmpdir(), "llmstream-no-models-"));
  // A port that was just free: nothing listens there once the server is closed.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  refusedURL = `http://127.0.0.1:${port}/v1`;
});
afterAll(() => rm(emptyModelsDir, { recursive: true, force: true }));

/**
 * Chooses for a plain `llmstream chat` whose default URL is moved to a port that refuses, with no
 * models folder content; returns the backend and the notes printed.
 */
async function choose(developmentFallback: string | false, baseURLExplicit = false) {
  const notes: string[] = [];
  const settings = { ...resolveChatOptions({}, {}), baseURL: refusedURL, baseURLExplicit };
  const backend = await chooseBackend(settings, {
    env: { LLMSTREAM_MODELS_DIR: emptyModelsDir },
    note: (line) => notes.push(line),
    developmentFallback,
  });
  return { backend, notes };
}

describe("chooseBackend", () => {
  it("says why the engine did not step in when no server answers and no model is found", async () => {
    const { backend, notes } = await choose(false);
    expect(backend.kind).toBe("http");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`no server at ${refusedURL} (connection refused)`);
    expect(notes[0]).toContain(`no model for the embedded engine in ${emptyModelsDir}`);
    expect(notes[0]).toContain("--model-file");
  });

  it("uses the engine with the model it finds, saying so once", async () => {
    const { backend, notes } = await choose(storiesModel);
    expect(backend).toMatchObject({ kind: "engine", modelFile: storiesModel });
    expect(notes).toEqual([
      `llmstream: no server at ${refusedURL} (connection refused): the answer comes from the local model file ${storiesModel}, run by the embedded engine (start a server or pass --base-url to use one)`,
    ]);
  });

  it("never looks for a model when the server URL was given", async () => {
    const { backend, notes } = await choose(storiesModel, true);
    expect(backend.kind).toBe("http");
    expect(notes).toEqual([]);
  });
});
