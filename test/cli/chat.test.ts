import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer, MOCK_ANSWER, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, ensureBuilt, runCli, runShell, startCli } from "./cliProcess.js";
import { markdownScenario } from "./markdownAnswer.js";

let mock: MockServer;
const url = (scenario: string) => `${mock.url}/s/${scenario}/v1`;
const firstTokens = MOCK_ANSWER_TOKENS.slice(0, 5).join("");

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer({ scenarios: { markdown: markdownScenario } });
});
afterAll(() => mock.close());

let promptCount = 0;
/** A prompt no other test sends, so tests can run at the same time and still find their request. */
const uniquePrompt = (text = "Hello") => `${text} #${++promptCount}`;

/** The chat request whose body contains `marker`, with its parsed body. */
function requestWith(marker: string) {
  const request = mock.requests.find((record) => record.method === "POST" && record.rawBody.includes(marker));
  if (request === undefined) throw new Error(`The mock saw no chat request containing ${marker}`);
  return { ...request, body: request.body as Record<string, unknown> };
}

describe.concurrent("llmstream chat: success", () => {
  it("streams the answer to stdout, exits 0, and writes nothing on stderr", async () => {
    const prompt = uniquePrompt();
    const run = await runCli(["chat", "--base-url", url("ok"), prompt]);
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
    const request = requestWith(prompt);
    expect(request.path).toBe("/s/ok/v1/chat/completions");
    expect(request.body).toMatchObject({
      model: "llama3",
      stream: true,
      messages: [{ role: "user", content: prompt }],
    });
  });

  it("sends the model, system prompt and sampling options it was given", async () => {
    const run = await runCli([
      "chat",
      "--base-url",
      url("ok"),
      "-m",
      "qwen",
      "-s",
      "Be brief",
      "--temperature",
      "0.5",
      "--max-tokens",
      "64",
      "--seed",
      "7",
      "--api-key",
      "sk-test",
      "Why",
      "blue?",
      "#sampling",
    ]);
    expect(run.code).toBe(0);
    const request = requestWith("#sampling");
    expect(request.body).toMatchObject({
      model: "qwen",
      temperature: 0.5,
      max_tokens: 64,
      seed: 7,
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Why blue? #sampling" },
      ],
    });
    expect(request.headers.authorization).toBe("Bearer sk-test");
  });

  it("takes the server and model from LLMSTREAM_BASE_URL and LLMSTREAM_MODEL", async () => {
    const prompt = uniquePrompt();
    const run = await runCli(["chat", prompt], {
      env: {
        LLMSTREAM_BASE_URL: url("ok"),
        LLMSTREAM_MODEL: "from-env",
        OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
      },
    });
    expect(run.code).toBe(0);
    expect(requestWith(prompt).body.model).toBe("from-env");
  });

  it("sends the piped stdin first and the arguments (the instruction) after it", async () => {
    const run = await runCli(["chat", "--base-url", url("ok"), "Summarise", "this"], {
      input: "line one\nline two #piped\n",
    });
    expect(run.code).toBe(0);
    expect(requestWith("#piped").body.messages).toEqual([
      { role: "user", content: "line one\nline two #piped\n\nSummarise this" },
    ]);
  });

  it("answers at once when stdin is an open pipe nobody writes to and the prompt is an argument", async () => {
    const prompt = uniquePrompt("Open stdin");
    const run = await runCli(["chat", "--base-url", url("ok"), prompt], {
      keepStdinOpen: true,
      timeoutMs: 15_000,
    });
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
    // The old code waited for stdin's end forever; the bound leaves room for a slow start under load.
    expect(run.ms).toBeLessThan(10_000);
    expect(requestWith(prompt).body.messages).toEqual([{ role: "user", content: prompt }]);
  });

  it('cat notes | llmstream chat "Summarise" includes the notes, before the instruction', async () => {
    const notes = join(mkdtempSync(join(tmpdir(), "llmstream-notes-")), "notes.txt");
    writeFileSync(notes, "Meeting notes #cat-pipe\nShip on Friday.\n");
    const shell = `cat '${notes}' | '${process.execPath}' '${cliPath}' chat --base-url '${url("ok")}' Summarise`;
    const run = await runShell(shell);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${MOCK_ANSWER}\n`);
    expect(requestWith("#cat-pipe").body.messages).toEqual([
      { role: "user", content: "Meeting notes #cat-pipe\nShip on Friday.\n\nSummarise" },
    ]);
  });

  it("reads a pipe whose writer starts late but within the grace window, and a < file redirect", async () => {
    const folder = mkdtempSync(join(tmpdir(), "llmstream-notes-"));
    const notes = join(folder, "notes.txt");
    writeFileSync(notes, "From a file #redirect\n");
    const cli = `'${process.execPath}' '${cliPath}' chat --base-url '${url("ok")}'`;
    const late = await runShell(`(sleep 0.15; echo 'Late #late-pipe') | ${cli} Summarise`);
    expect(late.code).toBe(0);
    expect(requestWith("#late-pipe").body.messages).toEqual([
      { role: "user", content: "Late #late-pipe\n\nSummarise" },
    ]);
    const redirect = await runShell(`${cli} Summarise < '${notes}'`);
    expect(redirect.code).toBe(0);
    expect(requestWith("#redirect").body.messages).toEqual([
      { role: "user", content: "From a file #redirect\n\nSummarise" },
    ]);
  });

  it("reads the whole prompt from stdin when there are no arguments", async () => {
    const run = await runCli(["chat", "--base-url", url("ok")], { input: "Just stdin #alone" });
    expect(run.code).toBe(0);
    expect(requestWith("#alone").body.messages).toEqual([{ role: "user", content: "Just stdin #alone" }]);
  });

  it("prints one --stats line on stderr with TTFT, tokens, rate and time", async () => {
    const run = await runCli(["chat", "--base-url", url("ok"), "--stats", "Hello"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${MOCK_ANSWER}\n`);
    expect(run.stderr).toMatch(/^TTFT \d+ ms · 20 tokens \(server\) · \d+\.\d tok\/s · \d+\.\d\d s\n$/);
  });

  it("--no-stream sends the same request without streaming and prints the whole answer", async () => {
    const prompt = uniquePrompt();
    const run = await runCli(["chat", "--base-url", url("ok"), "--no-stream", "--stats", prompt]);
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n` });
    expect(requestWith(prompt).body.stream).toBe(false);
    expect(run.stderr).toMatch(/^TTFT \d+ ms · 20 tokens \(server\) · – tok\/s · \d+\.\d\d s\n$/);
  });
});

describe.concurrent("llmstream chat: dialects", () => {
  it("speaks Ollama's native protocol with --protocol ollama", async () => {
    const prompt = uniquePrompt();
    const run = await runCli(["chat", "--protocol", "ollama", "--base-url", `${mock.url}/s/ok`, prompt]);
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
    expect(requestWith(prompt).path).toBe("/s/ok/api/chat");
  });

  it("uses OLLAMA_HOST for the native protocol", async () => {
    const host = new URL(mock.url).host;
    const prompt = uniquePrompt();
    const run = await runCli(["chat", "--protocol", "ollama", prompt], { env: { OLLAMA_HOST: host } });
    expect(run.code).toBe(0);
    expect(requestWith(prompt).path).toBe("/api/chat");
  });

  it.each([
    ["reasoning-content", "openai"],
    ["reasoning", "openai"],
    ["think-tags", "openai"],
    ["ollama-thinking", "ollama"],
  ])("keeps %s reasoning out of piped text output, and puts it in --json", async (scenario, protocol) => {
    const base = protocol === "ollama" ? `${mock.url}/s/${scenario}` : url(scenario);
    const text = await runCli(["chat", "--protocol", protocol, "--base-url", base, "Hello"]);
    expect(text).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
    const json = await runCli(["chat", "--json", "--protocol", protocol, "--base-url", base, "Hello"]);
    const events = parseLines(json.stdout);
    const reasoning = events.filter((event) => event.type === "reasoning").map((event) => event.text);
    const done = events.at(-1);
    expect(reasoning.length).toBeGreaterThan(0);
    expect(done?.type).toBe("done");
    expect(reasoning.join("")).toBe(done?.reasoning);
    expect(done?.text).toBe(MOCK_ANSWER);
  });

  it("prints tool calls on their own lines, and as tool_call events in --json", async () => {
    const text = await runCli(["chat", "--base-url", url("tool-calls"), "Weather?"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('[tool call] get_weather({"city": "Paris"})\n');
    const json = await runCli(["chat", "--json", "--base-url", url("tool-calls"), "Weather?"]);
    const calls = parseLines(json.stdout).filter((event) => event.type === "tool_call");
    expect(calls.map((call) => call.name)).toEqual(["get_weather", "get_time"]);
    for (const call of calls) {
      expect(typeof call.id).toBe("string");
      expect(JSON.parse(call.arguments as string)).toBeTypeOf("object");
    }
  });
});

type Line = Record<string, unknown> & { type: string };

/** Parses NDJSON and checks every line against the `--json` event union. */
function parseLines(stdout: string): Line[] {
  expect(stdout.endsWith("\n")).toBe(true);
  return stdout
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const event = JSON.parse(line) as Line;
      checkEvent(event);
      return event;
    });
}

function checkEvent(event: Line): void {
  switch (event.type) {
    case "text":
    case "reasoning":
      expect(Object.keys(event).sort()).toEqual(["text", "type"]);
      expect(typeof event.text).toBe("string");
      return;
    case "tool_call":
      expect(Object.keys(event).sort()).toEqual(["arguments", "id", "index", "name", "type"]);
      return;
    case "usage":
      expect(event.usage).toMatchObject({
        promptTokens: expect.any(Number),
        completionTokens: expect.any(Number),
        totalTokens: expect.any(Number),
        source: expect.any(String),
      });
      return;
    case "done":
      expect(event).toMatchObject({
        text: expect.any(String),
        reasoning: expect.any(String),
        finishReason: expect.any(String),
        usage: {
          promptTokens: expect.any(Number),
          completionTokens: expect.any(Number),
          source: expect.any(String),
        },
        metrics: { e2eMs: expect.any(Number) },
      });
      return;
    case "error":
      expect(
        Object.keys(event)
          .filter((key) => key !== "status")
          .sort(),
      ).toEqual(["code", "message", "type"]);
      return;
    default:
      throw new Error(`Unknown event type in --json output: ${JSON.stringify(event)}`);
  }
}

function textOf(events: Line[]): string {
  return events
    .filter((event) => event.type === "text")
    .map((event) => event.text)
    .join("");
}

describe.concurrent("llmstream chat --json", () => {
  it("writes only NDJSON events whose text adds up to the done event's text", async () => {
    const run = await runCli(["chat", "--json", "--base-url", url("ok"), "Hello"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const events = parseLines(run.stdout);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", finishReason: "stop", text: MOCK_ANSWER });
    expect(textOf(events)).toBe(MOCK_ANSWER);
    expect(events.filter((event) => event.type === "done" || event.type === "error")).toHaveLength(1);
  });

  it("--think-tags start-in-thinking reads the text before </think> as reasoning; auto warns instead", async () => {
    const thinking = await runCli([
      "chat",
      "--json",
      "--think-tags",
      "start-in-thinking",
      "--base-url",
      url("think-no-open"),
      "Hi",
    ]);
    expect(thinking.code).toBe(0);
    const done = parseLines(thinking.stdout).at(-1) as unknown as {
      text: string;
      reasoning: string;
      warnings: string[];
    };
    expect(done.text).toBe(MOCK_ANSWER);
    expect(done.reasoning.length).toBeGreaterThan(0);
    expect(done.warnings).toEqual([]);
    const auto = await runCli(["chat", "--json", "--base-url", url("think-no-open"), "Hi"]);
    expect(auto.stderr).toMatch(/--think-tags start-in-thinking/);
    const bad = await runCli(["chat", "--think-tags", "maybe", "--base-url", url("ok"), "Hi"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--think-tags must be one of auto, start-in-thinking, off/);
  });

  it("ends a failed stream with one error event, after text events holding exactly the partial text", async () => {
    const run = await runCli(["chat", "--json", "--base-url", url("truncated"), "Hello"]);
    expect(run.code).toBe(6);
    const events = parseLines(run.stdout);
    expect(events.at(-1)).toEqual({ type: "error", code: "truncated", message: expect.any(String) });
    expect(textOf(events)).toBe(firstTokens);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("carries the HTTP status in the error event", async () => {
    const run = await runCli([
      "chat",
      "--json",
      "--retries",
      "0",
      "--base-url",
      url("http-502-html"),
      "Hello",
    ]);
    expect(run.code).toBe(4);
    expect(parseLines(run.stdout)).toEqual([
      { type: "error", code: "http", message: expect.any(String), status: 502 },
    ]);
  });
});

describe.concurrent("llmstream chat: failures", () => {
  // Each fault: the exit code, one stderr line saying what happened, and the text that arrived kept on stdout.
  it.each([
    {
      scenario: "truncated",
      args: [],
      code: 6,
      stdout: `${firstTokens}\n`,
      message: /ended before the server said/,
    },
    { scenario: "error-object", args: [], code: 6, stdout: undefined, message: /error/i },
    { scenario: "invalid-json", args: [], code: 6, stdout: undefined, message: /JSON/ },
    { scenario: "http-502-html", args: ["--retries", "0"], code: 4, stdout: "", message: /HTTP 502/ },
    { scenario: "http-429", args: ["--retries", "0"], code: 4, stdout: "", message: /HTTP 429/ },
    { scenario: "http-500-json", args: ["--retries", "0"], code: 4, stdout: "", message: /HTTP 500/ },
    {
      scenario: "stall",
      args: ["--idle-timeout", "0.5"],
      code: 5,
      stdout: `${firstTokens}\n`,
      // The library says "timeouts.idleMs"; chat names its own flag.
      message: /idle timeout\): the server stopped sending tokens; raise --idle-timeout if it is just slow$/m,
    },
    {
      scenario: "slow-first-token",
      args: ["--first-token-timeout", "0.2"],
      code: 5,
      stdout: "",
      message: /first token/i,
    },
    {
      scenario: "stall",
      args: ["--timeout", "1"],
      code: 5,
      stdout: `${firstTokens}\n`,
      message: /total/,
    },
  ])("$scenario $args → exit $code with one stderr line", async ({
    scenario,
    args,
    code,
    stdout,
    message,
  }) => {
    const run = await runCli(["chat", "--base-url", url(scenario), ...args, "Hello"]);
    expect(run.code).toBe(code);
    if (stdout !== undefined) expect(run.stdout).toBe(stdout);
    const lines = run.stderr.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a reset mid-stream keeps the partial text and exits with the connection code", async () => {
    const run = await runCli(["chat", "--base-url", url("reset"), "Hello"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(`${firstTokens}\n`);
    expect(run.stderr).toMatch(/^error: .*reset.*\n$/);
  });

  it("a closed port exits 3 with a hint, without waiting", async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), "llmstream-closed-")), "requests.jsonl");
    const run = await runCli([
      "chat",
      "--retries",
      "0",
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--log-file",
      logFile,
      "Hello",
    ]);
    expect(run).toMatchObject({ code: 3, stdout: "" });
    expect(run.stderr).toMatch(/^error: Could not connect to 127\.0\.0\.1:9.*\n$/);
    // The client's own time from sending to giving up, as it logged it: no connect timeout or
    // back-off waited. (The process's wall time also counts Node's start-up, which a loaded test
    // machine stretched to 5 s once; it is only bounded loosely.)
    const record = JSON.parse(readFileSync(logFile, "utf8")) as { e2eMs: number; errorCode: string };
    expect(record.errorCode).toBe("connection");
    expect(record.e2eMs).toBeLessThan(1000);
    expect(run.ms).toBeLessThan(15_000);
  });
});

describe.concurrent("llmstream chat: usage errors", () => {
  it.each([
    [["--temperature", "warm"], /--temperature must be a number/],
    [["--max-tokens", "-1"], /--max-tokens/],
    [["--idle-timeout", "soon"], /--idle-timeout must be a number/],
    [["--retries", "two"], /--retries must be a whole number/],
    [["--protocol", "grpc"], /--protocol must be "openai", "ollama" or "responses"/],
    [["--base-url", "localhost"], /--base-url must be an http\(s\) URL/],
    [["--chunk", "paragraph"], /--chunk must be one of token, word, line, sentence, got "paragraph"/],
    [["--render", "html"], /--render must be one of markdown, plain/],
    [["--threads", "0"], /--threads must be a whole number from 1/],
    [["--no-such-option"], /unknown option '--no-such-option'/],
  ])("%j exits 2 with one line naming the problem, before any request", async (args, message) => {
    const prompt = uniquePrompt();
    const run = await runCli(["chat", "--base-url", url("ok"), ...args, prompt]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(() => requestWith(prompt)).toThrow(/no chat request/);
  });

  it("exits 2 when there is no prompt at all", async () => {
    const run = await runCli(["chat", "--base-url", url("ok")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: No prompt/);
  });

  it("documents the exit codes and examples in --help", async () => {
    const run = await runCli(["chat", "--help"]);
    expect(run.code).toBe(0);
    for (const code of ["0 ", "2 ", "3 ", "4 ", "5 ", "6 ", "130"]) expect(run.stdout).toContain(`  ${code}`);
    expect(run.stdout).toContain("Examples:");
    expect(run.stdout).toContain("--first-token-timeout <seconds>");
  });

  it("has examples in the top-level --help and in every command's, and prints the version", async () => {
    for (const args of [
      ["--help"],
      ["chat", "--help"],
      ["logs", "--help"],
      ["models", "--help"],
      ["pull", "--help"],
      ["logs", "list", "--help"],
      ["logs", "show", "--help"],
      ["logs", "stats", "--help"],
      ["logs", "path", "--help"],
    ]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Examples?:\n {2}\$ llmstream /m);
    }
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe.concurrent("llmstream chat: Ctrl-C", () => {
  it("stops at once on SIGINT, keeps the text, closes the connection and exits 130", async () => {
    const prompt = uniquePrompt();
    const cli = startCli(["chat", "--base-url", url("slow"), prompt]);
    await cli.waitForStdout((stdout) => stdout.length > 0);
    cli.child.kill("SIGINT");
    const { code } = await cli.exited;
    expect(code).toBe(130);
    const closed = await mock.waitForClose(requestWith(prompt).index);
    expect(closed.clientClosedEarly).toBe(true);
    expect(cli.stdout().endsWith("\n")).toBe(true);
    expect(MOCK_ANSWER.startsWith(cli.stdout().slice(0, -1))).toBe(true);
    expect(cli.stdout().length).toBeLessThan(MOCK_ANSWER.length);
    expect(cli.stderr()).toBe("");
  });

  it("in --json ends with a done event whose finishReason is aborted", async () => {
    const prompt = uniquePrompt();
    const cli = startCli(["chat", "--json", "--base-url", url("slow"), prompt]);
    await cli.waitForStdout((stdout) => stdout.includes('"type":"text"'));
    cli.child.kill("SIGINT");
    const { code } = await cli.exited;
    expect(code).toBe(130);
    expect((await mock.waitForClose(requestWith(prompt).index)).clientClosedEarly).toBe(true);
    const events = parseLines(cli.stdout());
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", finishReason: "aborted" });
    expect(textOf(events)).toBe(done?.text);
  });
});

describe.concurrent("llmstream chat: --chunk, --smooth, --render", () => {
  it("--chunk word gives whole words in --json, never a split emoji, adding up to the answer", async () => {
    const run = await runCli(["chat", "--json", "--chunk", "word", "--base-url", url("ok"), "Hello"]);
    expect(run.code).toBe(0);
    const events = parseLines(run.stdout);
    const texts = events.filter((event) => event.type === "text").map((event) => event.text as string);
    expect(texts.join("")).toBe(MOCK_ANSWER);
    expect(texts.some((text) => text.includes("👩\u200d💻"))).toBe(true);
    expect(texts.some((text) => text.endsWith("👩") || text.startsWith("\u200d"))).toBe(false);
    expect(texts).toContain("café ");
  });

  it("--chunk word on a failed stream flushes the held word before the error event", async () => {
    const run = await runCli(["chat", "--json", "--chunk", "word", "--base-url", url("truncated"), "Hello"]);
    expect(run.code).toBe(6);
    const events = parseLines(run.stdout);
    // "at" could still grow into a longer word, so it is held; the failure must still let it out.
    expect(events.filter((event) => event.type === "text").map((event) => event.text)).toEqual([
      "Hello! ",
      "Meet ",
      "me ",
      "at",
    ]);
    expect(textOf(events)).toBe(firstTokens);
    expect(events.at(-1)).toMatchObject({ type: "error", code: "truncated" });
  });

  it("--chunk line holds an answer without newlines until the end, then sends it whole", async () => {
    const run = await runCli(["chat", "--json", "--chunk", "line", "--base-url", url("ok"), "Hello"]);
    const texts = parseLines(run.stdout).filter((event) => event.type === "text");
    expect(texts).toEqual([{ type: "text", text: MOCK_ANSWER }]);
  });

  it("--smooth does not delay or change output that is not going to a terminal", async () => {
    const run = await runCli(["chat", "--smooth", "--base-url", url("ok"), "Hello"]);
    expect(run).toMatchObject({ code: 0, stdout: `${MOCK_ANSWER}\n`, stderr: "" });
  });

  it("writes markdown as received to a pipe, and renders it with --render markdown", async () => {
    const raw = await runCli(["chat", "--base-url", url("markdown"), "List"]);
    expect(raw.stdout).toContain("**three**");
    const rendered = await runCli(["chat", "--render", "markdown", "--base-url", url("markdown"), "List"]);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toContain("Buy three things:\n\n• apples\n• pears\n");
    expect(rendered.stdout).toContain("│ 1 │ 2 │");
    expect(rendered.stdout).not.toContain("**");
    expect(rendered.stdout).not.toContain("\u001b");
  });
});

describe.concurrent("llmstream chat: pipes", () => {
  it("-i with piped stdin asks one question per line, keeping the history, and exits 0 at the end", async () => {
    const run = await runCli(["chat", "-i", "--base-url", url("ok")], {
      input: "First #pipe1\n\nSecond #pipe2\n",
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${MOCK_ANSWER}\n${MOCK_ANSWER}\n`);
    expect(requestWith("#pipe2").body.messages).toEqual([
      { role: "user", content: "First #pipe1" },
      { role: "assistant", content: MOCK_ANSWER },
      { role: "user", content: "Second #pipe2" },
    ]);
  });

  it("-i with piped stdin ends at quit (or /bye, /exit, exit), before the lines after it", async () => {
    for (const word of ["quit", "/bye", "/exit", "exit"]) {
      const marker = `#end-${word}`;
      const run = await runCli(["chat", "-i", "--base-url", url("ok")], {
        input: `Ask ${marker}\n${word}\nNever sent ${marker}-after\n`,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${MOCK_ANSWER}\n`);
      expect(mock.requests.filter((request) => request.rawBody.includes(marker))).toHaveLength(1);
    }
  });

  it("stops quietly with exit 0 when the reader goes away (| head), and closes the connection", async () => {
    const prompt = uniquePrompt();
    const cli = startCli(["chat", "--base-url", url("slow"), prompt]);
    await cli.waitForStdout((stdout) => stdout.length > 0);
    cli.child.stdout?.destroy();
    const { code } = await cli.exited;
    expect(code).toBe(0);
    expect(cli.stderr()).toBe("");
    expect((await mock.waitForClose(requestWith(prompt).index)).clientClosedEarly).toBe(true);
  });
});
