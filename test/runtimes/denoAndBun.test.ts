import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createMockServer, MOCK_ANSWER, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../cli/cliProcess.js";

// The library in the other server runtimes, by name through its exports map, as a user's project
// gets it: Deno (npm packages from node_modules) and Bun, both from their npm distributions (dev
// dependencies, no download at test time). Each streams from the mock over loopback with its own
// fetch, stops the request on `break`, and runs the parsers.
const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
let project: string;
let mock: MockServer;

const RUNTIMES = {
  deno: (script: string, port: number) => [
    join(root, "node_modules", ".bin", "deno"),
    ["run", "--node-modules-dir=manual", `--allow-net=127.0.0.1:${port}`, "--allow-read", script],
  ],
  bun: (script: string) => [join(root, "node_modules", ".bin", "bun"), ["run", script]],
} satisfies Record<string, (script: string, port: number) => [string, string[]]>;

const SCRIPT = `import { streamChat } from "llmstream";
import { createSseParser } from "llmstream/sse";
import { createNdjsonParser } from "llmstream/ndjson";
const [baseURL, scenario] = process.argv.slice(2);
const stream = streamChat({ baseURL, model: "m", messages: [{ role: "user", content: "hi" }], retry: 0 });
const texts = [];
if (scenario === "break") {
  for await (const event of stream) if (event.type === "text") { texts.push(event.text); break; }
} else {
  for await (const event of stream) if (event.type === "text") texts.push(event.text);
}
const result = await stream.result;
const parsed = [];
const sse = createSseParser({ onEvent: (event) => parsed.push(event.data) });
sse.feed("data: é\\r\\n\\r"); sse.feed("\\ndata: 😀\\n\\n");
const ndjson = createNdjsonParser({ onLine: (line) => parsed.push(JSON.parse(line).n) });
ndjson.feed('{"n":1}\\n{"n"'); ndjson.feed(":2}"); ndjson.end();
console.log(JSON.stringify({ texts, text: result.text, finishReason: result.finishReason, usage: result.usage.source, parsed }));
`;

beforeAll(async () => {
  ensureBuilt();
  project = mkdtempSync(join(tmpdir(), "llmstream-runtimes-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(join(root, "packages", "llmstream"), join(project, "node_modules", "llmstream"));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { llmstream: "*" } }),
  );
  writeFileSync(join(project, "stream.mjs"), SCRIPT);
  mock = await createMockServer();
});

afterAll(async () => {
  await mock?.close();
});

interface Printed {
  texts: string[];
  text: string;
  finishReason: string;
  usage: string;
  parsed: unknown[];
}

async function runIn(runtime: keyof typeof RUNTIMES, scenario: "all" | "break"): Promise<Printed> {
  const [command, args] = RUNTIMES[runtime](join(project, "stream.mjs"), Number(new URL(mock.url).port));
  // `slow` spaces its tokens, so the answer is still being written when the script breaks out.
  const baseURL = scenario === "break" ? `${mock.url}/s/slow/v1` : mock.baseURL;
  const { stdout } = await run(command, [...args, baseURL, scenario], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: project, NO_COLOR: "1" },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Printed;
}

describe.each(Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[])("llmstream in %s", (runtime) => {
  it("streams the whole answer, usage from the server, and the parsers work", async () => {
    const printed = await runIn(runtime, "all");
    expect(printed.texts).toEqual(MOCK_ANSWER_TOKENS);
    expect(printed).toMatchObject({ text: MOCK_ANSWER, finishReason: "stop", usage: "server" });
    expect(printed.parsed).toEqual(["é", "😀", 1, 2]);
  }, 40_000);

  it("break after the first token closes the request: the server sees the client go", async () => {
    const before = mock.requests.length;
    const printed = await runIn(runtime, "break");
    expect(printed.texts).toEqual(MOCK_ANSWER_TOKENS.slice(0, 1));
    expect(printed.finishReason).toBe("aborted");
    const record = await mock.waitForClose(before, { timeoutMs: 5000 });
    expect(record.clientClosedEarly).toBe(true);
  }, 40_000);
});
