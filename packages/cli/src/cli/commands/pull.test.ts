import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storiesModel } from "../../../../engine/src/engineTestModels.test-helper.js";
import { createProgressBar, registerPullCommand } from "./pull.js";

const model = readFileSync(storiesModel);
let server: Server;
let endpoint: string;
let dir: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.endsWith("/stories260K.gguf"))
      response.writeHead(200, { "content-length": model.length }).end(model);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "llmstream-pull-cli-"));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], isTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const exit = { code: -1 };
  const program = new Command("llmstream").exitOverride();
  registerPullCommand(program, exit, {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text), isTTY },
    env: { LLMSTREAM_HF_ENDPOINT: endpoint, LLMSTREAM_MODELS_DIR: dir },
  });
  await program.parseAsync(args, { from: "user" });
  return { code: exit.code, stdout: out.join(""), stderr: err.join("") };
}

describe("llmstream pull", () => {
  it("downloads into the models folder, draws progress on a terminal and prints the sha256", async () => {
    const { code, stdout, stderr } = await run(
      [
        "pull",
        "hf:o/r/stories260K.gguf",
        "--sha256",
        "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
      ],
      true,
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      `Saved: ${join(dir, "stories260K.gguf")} (1.2 MB)\nsha256 270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d\n`,
    );
    expect(stderr).toMatch(/\r\[#+\] 100% 1\.2 MB \/ 1\.2 MB/);
    expect(await readdir(dir)).toEqual(["stories260K.gguf"]);
  });

  it("draws no progress bar when stderr is not a terminal", async () => {
    const { code, stdout, stderr } = await run(["pull", "hf:o/r/stories260K.gguf"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Already present: /);
    expect(stderr).toBe("");
  });

  it("exits 4 on an HTTP error status, with a message", async () => {
    const { code, stderr } = await run(["pull", "hf:o/r/missing.gguf"]);
    expect(code).toBe(4);
    expect(stderr).toMatch(
      /^llmstream pull: Downloading http:\/\/127\.0\.0\.1:\d+\/o\/r\/resolve\/main\/missing\.gguf failed: HTTP 404/,
    );
  });

  it("measures the rate of a resumed download from the bytes this run received", () => {
    const lines: string[] = [];
    let now = 0;
    const bar = createProgressBar({ write: (text: string) => lines.push(text) }, () => now);
    now = 2000;
    // 1 MB was already on disk; 200 kB arrived in these 2 s.
    bar.update({ receivedBytes: 1_200_000, totalBytes: 2_000_000, resumedFromBytes: 1_000_000 });
    bar.done();
    expect(lines[0]).toContain("[##################............]  60% 1.2 MB / 2.0 MB  100.0 kB/s");
    expect(lines[1]).toBe("\n");
  });
});
