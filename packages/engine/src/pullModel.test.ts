import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isModelError, type ModelError } from "llmstream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { storiesModel } from "./engineTestModels.test-helper.js";
import { pullModel, resolvePullUrl } from "./pullModel.js";

const model = readFileSync(storiesModel);
const modelSha256 = createHash("sha256").update(model).digest("hex");

let server: Server;
let endpoint: string;
let modelsDir: string;
/** Range headers the server saw, in order. */
let ranges: (string | undefined)[];
/** When set, the next full response stops after this many bytes and drops the connection. */
let cutAfter: number | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    ranges.push(request.headers.range);
    if (request.url === "/missing/repo/resolve/main/nope.gguf") {
      response.writeHead(404).end("Not found");
      return;
    }
    if (request.url === "/html/repo/resolve/main/page.gguf") {
      response.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>");
      return;
    }
    if (request.url?.startsWith("/silent/")) return;
    if (request.url?.startsWith("/stall/")) {
      response.writeHead(200, { "content-length": model.length }).write(model.subarray(0, 100_000));
      return;
    }
    if (request.url?.startsWith("/badrange/") && request.headers.range !== undefined) {
      // A broken server: 206 for a range request, but from another byte than the one asked for.
      response
        .writeHead(206, {
          "content-length": model.length - 500,
          "content-range": `bytes 500-${model.length - 1}/${model.length}`,
        })
        .end(model.subarray(500));
      return;
    }
    const range =
      request.url?.startsWith("/norange/") || request.url?.startsWith("/badrange/")
        ? null
        : /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    const start = range === null ? 0 : Number(range[1]);
    const body = model.subarray(start);
    response.writeHead(range === null ? 200 : 206, {
      "content-length": body.length,
      ...(range === null ? {} : { "content-range": `bytes ${start}-${model.length - 1}/${model.length}` }),
    });
    if (cutAfter !== undefined) {
      const cut = cutAfter;
      cutAfter = undefined;
      response.write(body.subarray(0, cut), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  ranges = [];
  cutAfter = undefined;
  modelsDir = await mkdtemp(join(tmpdir(), "llmstream-pull-"));
  return () => rm(modelsDir, { recursive: true, force: true });
});

async function pullError(source: string, options: Parameters<typeof pullModel>[1] = {}): Promise<ModelError> {
  const error = await pullModel(source, {
    modelsDir,
    env: { LLMSTREAM_HF_ENDPOINT: endpoint },
    ...options,
  }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isModelError(error)).toBe(true);
  return error as ModelError;
}

describe("resolvePullUrl", () => {
  it("maps hf: URIs to the resolve/main URL, with an overridable endpoint", () => {
    expect(resolvePullUrl("hf:ggml-org/models/tinyllamas/stories260K.gguf", {})).toBe(
      "https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf",
    );
    expect(resolvePullUrl("hf:o/r/f.gguf", { LLMSTREAM_HF_ENDPOINT: "http://127.0.0.1:1/" })).toBe(
      "http://127.0.0.1:1/o/r/resolve/main/f.gguf",
    );
  });

  it("rejects what it cannot download", () => {
    expect(() => resolvePullUrl("hf:only-owner", {})).toThrow(/hf:<owner>\/<repo>\/<file.gguf>/);
    expect(() => resolvePullUrl("ftp://host/f.gguf", {})).toThrow(/only http/);
    expect(() => resolvePullUrl("not a url", {})).toThrow(/http\(s\):\/\//);
  });
});

describe("pullModel", () => {
  it("downloads an hf: model, verifies the sha256 and renames it into place", async () => {
    const progress: number[] = [];
    const result = await pullModel("hf:owner/repo/stories260K.gguf", {
      modelsDir,
      env: { LLMSTREAM_HF_ENDPOINT: endpoint },
      sha256: modelSha256.toUpperCase(),
      onProgress: (p) => progress.push(p.receivedBytes),
    });
    expect(result).toMatchObject({
      file: join(modelsDir, "stories260K.gguf"),
      sizeBytes: model.length,
      sha256: modelSha256,
      resumedFromBytes: 0,
      alreadyPresent: false,
    });
    expect(progress.at(-1)).toBe(model.length);
    expect(await readdir(modelsDir)).toEqual(["stories260K.gguf"]);
    expect(ranges).toEqual([undefined]);
  });

  it("resumes an interrupted download from the .part file with a Range request", async () => {
    cutAfter = 400_000;
    const error = await pullError(`${endpoint}/direct/stories260K.gguf`);
    expect(error.message).toMatch(/run the same pull again to resume/);
    const partSize = (await stat(join(modelsDir, "stories260K.gguf.part"))).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(model.length);
    const result = await pullModel(`${endpoint}/direct/stories260K.gguf`, { modelsDir, sha256: modelSha256 });
    expect(result.resumedFromBytes).toBe(partSize);
    expect(result.sha256).toBe(modelSha256);
    expect(ranges).toEqual([undefined, `bytes=${partSize}-`]);
    expect(await readdir(modelsDir)).toEqual(["stories260K.gguf"]);
  });

  it("starts over when the server ignores the Range request", async () => {
    await writeFile(join(modelsDir, "stories260K.gguf.part"), Buffer.alloc(1000, 7));
    const result = await pullModel(`${endpoint}/norange/stories260K.gguf`, { modelsDir });
    expect(ranges).toEqual(["bytes=1000-"]);
    expect(result).toMatchObject({ resumedFromBytes: 0, sha256: modelSha256, sizeBytes: model.length });
  });

  it("starts over when the server answers a Range request with a part from elsewhere", async () => {
    await writeFile(join(modelsDir, "stories260K.gguf.part"), Buffer.alloc(1000, 7));
    const result = await pullModel(`${endpoint}/badrange/stories260K.gguf`, { modelsDir });
    expect(ranges).toEqual(["bytes=1000-", undefined]);
    expect(result).toMatchObject({ resumedFromBytes: 0, sha256: modelSha256, sizeBytes: model.length });
  });

  it("gives up on a stalled download, keeping the part for the next run to resume", async () => {
    const error = await pullError(`${endpoint}/stall/stories260K.gguf`, { stallTimeoutMs: 300 });
    expect(error.message).toMatch(/stalled: no data for 300 ms after 100000 bytes; run the same pull again/);
    expect((await stat(join(modelsDir, "stories260K.gguf.part"))).size).toBe(100_000);
    const result = await pullModel(`${endpoint}/direct/stories260K.gguf`, { modelsDir });
    expect(result).toMatchObject({ resumedFromBytes: 100_000, sha256: modelSha256 });
  });

  it("gives up on a server that never answers", async () => {
    const started = performance.now();
    const error = await pullError(`${endpoint}/silent/stories260K.gguf`, { stallTimeoutMs: 300 });
    expect(error.message).toMatch(/stalled: no data for 300 ms after 0 bytes/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("rejects a checksum mismatch and deletes the download", async () => {
    const error = await pullError(`${endpoint}/direct/stories260K.gguf`, { sha256: "0".repeat(64) });
    expect(error.reason).toBe("checksum");
    expect(error.message).toContain(modelSha256);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it("does not download a file that is already there, but checks its sha256", async () => {
    await writeFile(join(modelsDir, "stories260K.gguf"), model);
    const result = await pullModel(`${endpoint}/x/stories260K.gguf`, { modelsDir, sha256: modelSha256 });
    expect(result.alreadyPresent).toBe(true);
    expect(ranges).toEqual([]);
    const error = await pullError(`${endpoint}/x/stories260K.gguf`, { sha256: "1".repeat(64) });
    expect(error.reason).toBe("checksum");
  });

  it("reports an HTTP error status", async () => {
    const error = await pullError("hf:missing/repo/nope.gguf");
    expect(error.message).toMatch(/HTTP 404/);
    expect(error.status).toBe(404);
  });

  it("rejects a download that is not GGUF", async () => {
    const error = await pullError("hf:html/repo/page.gguf");
    expect(error.message).toMatch(/not a usable GGUF model/);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it("reports a refused connection", async () => {
    const error = await pullError("http://127.0.0.1:1/m.gguf");
    expect(error.message).toMatch(/Could not connect to http:\/\/127.0.0.1:1\/m.gguf/);
  });

  it("refuses URLs that do not name a .gguf file", async () => {
    const error = await pullError(`${endpoint}/model.bin`);
    expect(error.message).toMatch(/\.gguf/);
  });
  it("refuses an unusable models folder at once instead of hanging (Node 20's recursive mkdir spins under /proc)", async () => {
    const proc = await pullModel(`${endpoint}/direct/stories260K.gguf`, {
      modelsDir: "/proc/nope/models",
    }).then(
      () => undefined,
      (e: ModelError) => e,
    );
    expect(isModelError(proc)).toBe(true);
    expect(proc?.message).toMatch(/Cannot use the models folder \/proc\/nope\/models: .*virtual file system/);
    const fileInTheWay = join(modelsDir, "a-file");
    await writeFile(fileInTheWay, "x");
    const blocked = await pullModel(`${endpoint}/direct/stories260K.gguf`, {
      modelsDir: join(fileInTheWay, "models"),
    }).then(
      () => undefined,
      (e: ModelError) => e,
    );
    expect(blocked?.message).toMatch(/a-file is a file, not a folder/);
  }, 5_000);
});
