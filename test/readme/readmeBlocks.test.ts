// Every fenced code block of the READMEs in `documents` is run here, so they cannot rot.
//
// - ```ts blocks: each must be, character for character, one of the files in examples/ (edit both
//   together). Every example is type-checked (tsc strict, examples/tsconfig.json) and run with node
//   against the mock server, in a temporary folder where `llmstream` is this package:
//   "http://localhost:11434" in its source becomes the mock's URL. `exampleChecks` says what each
//   one must print.
// - ```sh blocks: each line runs in bash (with pipefail) in a fresh folder, with the built CLI as
//   `llmstream` on PATH, a temporary HOME, OLLAMA_HOST pointing at the mock, and the URLs
//   http://localhost:11434 and http://127.0.0.1:8080 replaced by the mock's. A line must exit 0. A
//   line that needs more (a file, stdin, a server that runs until stopped, the internet) has a
//   `lineRules` entry, keyed by the exact line, that says how it runs offline; nothing is skipped
//   without a stated reason, and a rule whose line is gone fails the test.
// - A block in any other language fails the test until this file learns to run it.
//
// To cover a new block: a ts block goes into examples/ (plus an `exampleChecks` entry); a sh line
// that does not end by itself or needs setup gets a `lineRules` entry.
import { spawn } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { transformSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, ensureBuilt } from "../cli/cliProcess.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const examplesDir = join(root, "examples");
const storiesModel = join(root, "..", "shared", "models", "stories260K.gguf");

interface Block {
  lang: string;
  code: string;
  line: number;
}

/** The fenced code blocks of a markdown file. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i++) body.push(lines[i] ?? "");
    blocks.push({ lang: open[1] ?? "", code: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (or until `until` matches stdout, then stops it with SIGINT); fails on a hang. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; until?: RegExp; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${args.join(" ")} did not end within ${options.timeoutMs ?? 20_000} ms; stderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.until?.test(stdout)) child.kill("SIGINT");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let mock: MockServer;
let files: Server;
let filesURL: string;
let binDir: string;
/** The markdown files whose code blocks are tested (packages/mock/README.md starts a server in its examples: not yet). */
const documents = [
  "README.md",
  "packages/llmstream/README.md",
  "packages/engine/README.md",
  "packages/log/README.md",
  "packages/render/README.md",
  "packages/cli/README.md",
  "docs/serve.md",
  "docs/bench.md",
  "docs/responses.md",
  "docs/web.md",
];
const blocks = documents.flatMap((document) =>
  codeBlocks(readFileSync(join(root, document), "utf8")).map((block) => ({ ...block, document })),
);

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer();
  // Stands in for huggingface.co (LLMSTREAM_HF_ENDPOINT): every .gguf path serves the tiny stories260K.
  files = createServer((request, response) => {
    if (!request.url?.endsWith(".gguf")) return response.writeHead(404).end();
    response.writeHead(200, { "content-length": statSync(storiesModel).size });
    createReadStream(storiesModel).pipe(response);
  });
  await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
  filesURL = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  binDir = mkdtempSync(join(tmpdir(), "llmstream-readme-bin-"));
  writeFileSync(join(binDir, "llmstream"), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, {
    mode: 0o755,
  });
});
afterAll(async () => {
  await mock?.close();
  files?.close();
});

/** The environment of a README shell line: the user's PATH tools, nothing else of theirs. */
function shellEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", "LANG", "TERM", "TMPDIR"])
    if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    PATH: `${binDir}:${env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    OLLAMA_HOST: mock.url,
    LLMSTREAM_MODELS_DIR: join(home, "models"),
    ...extra,
  };
}

interface LineRule {
  /** Why the line cannot simply run as written. */
  why: string;
  /** Runs instead of the line (through bash too). */
  replace?: string;
  setup?: (cwd: string) => void;
  env?: () => Record<string, string>;
  input?: string;
  /** For a server that runs until stopped: stop it (SIGINT) once stdout matches. */
  until?: RegExp;
  /** Exit codes accepted. @defaultValue [0] */
  codes?: number[];
  check?: (result: Run, cwd: string) => void;
}

const answerPrinted = (result: Run) => expect(result.stdout).toContain(MOCK_ANSWER);

const lineRules: Record<string, LineRule> = {
  "npm ci && npm run demo   # streams a story: from a server at localhost:11434 if one runs, else the embedded engine":
    {
      why: "npm ci would replace the shared node_modules and needs the registry; `npm ls` checks the installed tree is the one package.json asks for, then the demo runs",
      replace: `cd '${root}' && npm ls --depth=0 >/dev/null && npm run demo --silent`,
      check: answerPrinted,
    },
  "npm test                 # build, lint + format check, typecheck, every test (unit, property, integration, CLI, browser)":
    {
      why: "npm test runs this very test; CI runs it, so only the scripts it chains are checked to exist here",
      replace: `cd '${root}' && node -e 'const s=require("./package.json").scripts; for (const n of ["build","lint","typecheck"]) if (!s[n] || !s.test.includes("npm run "+n)) process.exit(1)'`,
    },
  'llmstream chat "Why is the sky blue?"                       # streams from http://localhost:11434/v1 (Ollama)':
    {
      why: "the default server is OLLAMA_HOST, the mock here",
      check: answerPrinted,
    },
  'cat notes.txt | llmstream chat "Summarise this"             # the piped text first, then the instruction':
    {
      why: "needs a notes.txt",
      setup: (cwd) => writeFileSync(join(cwd, "notes.txt"), "README notes #readme-notes\n"),
      check: (result) => {
        answerPrinted(result);
        const request = mock.requests.find((record) => record.rawBody.includes("#readme-notes"));
        expect((request?.body as { messages: unknown }).messages).toEqual([
          { role: "user", content: "README notes #readme-notes\n\nSummarise this" },
        ]);
      },
    },
  'llmstream chat --base-url http://127.0.0.1:8080/v1 --stats "Hi"   # llama.cpp server; one stats line on stderr':
    {
      why: "the llama.cpp URL is the mock's",
      check: (result) => {
        answerPrinted(result);
        expect(result.stderr).toMatch(/^TTFT \d+ ms · 20 tokens/);
      },
    },
  'llmstream chat --protocol ollama --json "Hi" | jq -j \'select(.type=="text").text\'': {
    why: "Ollama's native API is the mock's (OLLAMA_HOST)",
    check: answerPrinted,
  },
  'llmstream chat -i -s "Answer in one sentence"               # multi-turn; Ctrl-C stops an answer, Ctrl-D exits':
    {
      why: "interactive: two questions on stdin, then its end (Ctrl-D)",
      input: "First question\nSecond question\n",
      check: (result) => expect(result.stdout.split(MOCK_ANSWER)).toHaveLength(3),
    },
  'llmstream chat --model-file model.gguf "Once upon a time"   # the embedded engine, no server': {
    why: "needs a model.gguf: the tiny stories260K from ../shared/models",
    setup: (cwd) => symlinkSync(storiesModel, join(cwd, "model.gguf")),
    check: (result) => expect(result.stdout.trim().length).toBeGreaterThan(0),
  },
  "llmstream logs stats                                        # TTFT/TPOT percentiles by model and endpoint":
    {
      why: "reads the log the lines above wrote under the temporary HOME",
      check: (result) => expect(result.stdout).toContain("llama3"),
    },
  "llmstream mock --port 8089                                  # the fault-injecting test server: …/s/truncated/v1, …/s/stall/v1, …":
    {
      why: "a server: runs until stopped, on a free port (8089 may be taken), stopped with Ctrl-C once it printed its URL",
      replace: "exec llmstream mock --port 0",
      until: /^http:\/\/127\.0\.0\.1:\d+\/v1\n/,
    },
  "llmstream pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf   # progress, resume, --sha256":
    {
      why: "no internet here: LLMSTREAM_HF_ENDPOINT points at a loopback server that serves the tiny stories260K under any name",
      env: () => ({ LLMSTREAM_HF_ENDPOINT: filesURL }),
      check: (_, cwd) =>
        expect(statSync(join(cwd, "..", "home", "models", "qwen2.5-0.5b-instruct-q4_k_m.gguf")).size).toBe(
          statSync(storiesModel).size,
        ),
    },
  'npm run serve                       # the embedded engine: "llmstream serve: http://127.0.0.1:8080/v1 (engine: stories260K.gguf, 2 slots)"':
    {
      why: "a server: runs until stopped, on a free port (8080 is the mock's URL here), without npm run's rebuild; stopped with Ctrl-C once it printed its one line",
      replace: `cd '${root}' && exec node packages/cli/dist/cli/main.js serve --port 0 --no-log`,
      until: /^llmstream serve: http:\/\/127\.0\.0\.1:\d+\/v1 \(engine: stories260K\.gguf, \d+ slots?\)\n/,
    },
  "llmstream serve --upstream a=http://127.0.0.1:8080/v1 --upstream b=http://localhost:11434 --port 8081   # a relay in front of two servers":
    {
      why: "a server: runs until stopped, on a free port (8081 may be taken); both upstreams are the mock here",
      replace:
        "exec llmstream serve --upstream a=http://127.0.0.1:8080/v1 --upstream b=http://localhost:11434 --port 0",
      until: /^llmstream serve: http:\/\/127\.0\.0\.1:\d+\/v1 \(relay: .*\)\n/,
    },
  'llmstream chat --protocol responses "Hi"                    # the OpenAI Responses API (/v1/responses)': {
    why: "the default server is OLLAMA_HOST, the mock here, which speaks /v1/responses",
    check: (result) => {
      answerPrinted(result);
      expect(mock.requests.at(-1)?.path).toMatch(/\/v1\/responses$/);
    },
  },
  "llmstream bench --base-url http://127.0.0.1:8080/v1 -m llama3 --concurrency 1,8 --requests 16 --json result.json --html report.html":
    {
      why: "the server is the mock here",
      check: (result, cwd) => {
        expect(result.stdout).toMatch(/completed \/ failed\s+16 \/ 0\s+16 \/ 0/);
        const report = JSON.parse(readFileSync(join(cwd, "result.json"), "utf8")) as Record<string, unknown>;
        expect(report).toHaveProperty("levels");
        expect(readFileSync(join(cwd, "report.html"), "utf8")).toMatch(/<svg/);
      },
    },
  "llmstream bench --base-url http://127.0.0.1:8080/v1 -m llama3 --rate 20 --duration 3 --slo ttft=500ms,tpot=50ms,e2e=10s":
    {
      why: "the server is the mock here; on a loaded machine the client may lag its schedule, and then the run must say INVALID and exit 1",
      codes: [0, 1],
      check: (result) => {
        expect(result.stdout).toMatch(/goodput req\/s/);
        if (result.code === 1) expect(result.stdout).toMatch(/INVALID RUN/);
        else expect(result.stdout).not.toMatch(/INVALID RUN/);
      },
    },
  "llmstream bench --model-file model.gguf --concurrency 1,2 --requests 8 --max-tokens 32   # the embedded engine, in process":
    {
      why: "needs a model.gguf: the tiny stories260K from ../shared/models",
      setup: (cwd) => symlinkSync(storiesModel, join(cwd, "model.gguf")),
      check: (result) => expect(result.stdout).toMatch(/completed \/ failed\s+8 \/ 0\s+8 \/ 0/),
    },
  "llmstream models                                         # size, architecture, parameters, context, chat template":
    {
      why: "lists the model the line above pulled",
      check: (result) => expect(result.stdout).toContain("qwen2.5-0.5b-instruct-q4_k_m"),
    },
};

/** What each example must print (its answer comes from the mock), and leave in its folder. */
const exampleChecks: Record<string, (result: Run, folder: string) => void> = {
  "quickStart.ts": (result) => {
    expect(result.stdout).toMatch(
      new RegExp(`^${escapeRegExp(MOCK_ANSWER)}\\n20 tokens \\(server\\) · TTFT \\d+ ms\\n$`),
    );
  },
  "requestLog.ts": (result, folder) => {
    expect(result.stdout).toMatch(/^llama3 \d+(\.\d+)? stop\n/);
    const line = JSON.parse(readFileSync(join(folder, "requests.jsonl"), "utf8")) as {
      content: { text: string };
    };
    expect(line.content.text).toBe(MOCK_ANSWER);
  },
  "engineChat.ts": (result) => {
    // stories260K stands in for model.gguf (see `substitute`): a story continued, 40 tokens at most.
    expect(result.stdout).toMatch(/^[\s\S]{20,}\n\d+ tokens \(engine\)\n$/);
    expect(Number(result.stdout.match(/(\d+) tokens/)?.[1])).toBeLessThanOrEqual(40);
  },
  "renderMarkdown.ts": (result) => {
    // Not a terminal here: no colour, and the markup is rendered (no `#`, no `**`).
    expect(result.stdout).toContain("Title");
    expect(result.stdout).toContain("Some bold text.");
    expect(result.stdout).not.toMatch(/\*\*|\u001b\[/);
    expect(result.stdout).toMatch(/one\n.*two/);
  },
  "sseParser.ts": (result) => {
    expect(result.stdout).toBe(`${MOCK_ANSWER}\n`);
    expect(mock.requests.at(-1)?.path).toBe("/v1/chat/completions");
  },
  "openTelemetry.ts": (result) => {
    expect(result.stdout).toContain(MOCK_ANSWER);
    // Exported on shutdown: the span and the GenAI metrics.
    expect(result.stdout).toContain("name: 'chat llama3'");
    expect(result.stdout).toContain("gen_ai.client.operation.duration");
    expect(result.stdout).toContain("gen_ai.client.token.usage");
  },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const substitute = (code: string) =>
  code
    .replaceAll("http://localhost:11434", mock.url)
    .replaceAll("http://127.0.0.1:8080", mock.url)
    .replaceAll('"model.gguf"', JSON.stringify(storiesModel));

describe("README code blocks", () => {
  it("are all ts or sh blocks", () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks)
      expect(["ts", "sh"], `${block.document} line ${block.line}`).toContain(block.lang);
  });

  it("ts blocks are each a file in examples/, which type-check strictly", async () => {
    const examples = readdirSync(examplesDir).filter((name) => name.endsWith(".ts"));
    for (const block of blocks.filter((b) => b.lang === "ts")) {
      const match = examples.find(
        (name) => readFileSync(join(examplesDir, name), "utf8").trimEnd() === block.code.trimEnd(),
      );
      expect(match, `${block.document} line ${block.line}: no file in examples/ is this block`).toBeDefined();
    }
    expect(Object.keys(exampleChecks).sort()).toEqual(examples.sort());
    const tsc = await run(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(examplesDir, "tsconfig.json")],
      {
        cwd: root,
        env: process.env,
        timeoutMs: 60_000,
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  }, 90_000);

  it.each(Object.keys(exampleChecks))("examples/%s runs against the mock server", async (name) => {
    const source = readFileSync(join(examplesDir, name), "utf8");
    const { code } = transformSync(substitute(source), { loader: "ts", format: "esm" });
    // A user's project: `llmstream` and `@llmstream/*` are this repository's packages (their dist/),
    // the SDK packages are ours.
    const project = mkdtempSync(join(tmpdir(), "llmstream-example-"));
    mkdirSync(join(project, "node_modules"));
    symlinkSync(join(root, "packages", "llmstream"), join(project, "node_modules", "llmstream"));
    symlinkSync(join(root, "node_modules", "@llmstream"), join(project, "node_modules", "@llmstream"));
    symlinkSync(
      join(root, "node_modules", "@opentelemetry"),
      join(project, "node_modules", "@opentelemetry"),
    );
    // A file, not stdin: node-llama-cpp forks a child to test its binary, which inherits execArgv.
    writeFileSync(join(project, "example.mjs"), code);
    const result = await run(process.execPath, [join(project, "example.mjs")], {
      cwd: project,
      env: process.env,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    exampleChecks[name]?.(result, project);
  }, 30_000);

  it("every line rule still matches a README line", () => {
    const lines = blocks.filter((b) => b.lang === "sh").flatMap((b) => b.code.split("\n"));
    for (const key of Object.keys(lineRules))
      expect(lines, `rule for a line no longer in README.md: ${key}`).toContain(key);
  });

  const shBlocks = blocks.filter((b) => b.lang === "sh");
  it.each(shBlocks.map((block) => [block.line, block] as const))(
    "sh block at line %i runs, line by line",
    async (_, block) => {
      const folder = mkdtempSync(join(tmpdir(), "llmstream-readme-sh-"));
      const home = join(folder, "home");
      const cwd = join(folder, "work");
      mkdirSync(home);
      mkdirSync(cwd);
      for (const line of block.code.split("\n")) {
        if (line.trim() === "" || line.trim().startsWith("#")) continue;
        const rule = lineRules[line];
        rule?.setup?.(cwd);
        const result = await run("bash", ["-o", "pipefail", "-c", substitute(rule?.replace ?? line)], {
          cwd,
          env: shellEnv(home, rule?.env?.() ?? {}),
          ...(rule?.input === undefined ? {} : { input: rule.input }),
          ...(rule?.until === undefined ? {} : { until: rule.until }),
        });
        expect(rule?.codes ?? [0], `${line}\nstderr: ${result.stderr}`).toContain(result.code);
        rule?.check?.(result, cwd);
      }
      // Nothing was written to a real home: the CLI's data went to the temporary one.
      expect(existsSync(home)).toBe(true);
    },
    120_000,
  );
});
