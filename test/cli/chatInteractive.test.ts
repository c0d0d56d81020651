import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, cliPath, ensureBuilt } from "./cliProcess.js";
import { markdownScenario } from "./markdownAnswer.js";

// `chat -i` needs a real terminal: each test runs it in a detached tmux pane (a pseudo-terminal),
// types with `send-keys` and reads the screen with `capture-pane`. CI needs tmux installed.
const socket = `llmstream-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

let mock: MockServer;
let folder: string;
let sessions = 0;

beforeAll(async () => {
  ensureBuilt();
  mock = await createMockServer({ scenarios: { markdown: markdownScenario } });
  folder = mkdtempSync(join(tmpdir(), "llmstream-interactive-"));
});
afterAll(async () => {
  try {
    tmux("kill-server");
  } catch {
    // No session left: nothing to stop.
  }
  await mock.close();
});

/** `llmstream <args>` running in its own tmux session. */
interface Pane {
  send(...keys: string[]): void;
  screen(): string;
  /** The screen with its colour escape sequences. */
  styledScreen(): string;
  /** The scrollback history and the screen. */
  history(): string;
  /** The bytes the CLI wrote to the terminal (recorded with `pipe-pane`). */
  raw(): string;
  /** Polls the screen every 50 ms until `predicate` holds; fails with the screen after `timeoutMs`. */
  waitFor(predicate: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the CLI's exit code once it ended. */
  exitCode(timeoutMs?: number): Promise<number>;
}

function startInteractive(args: string[]): Pane {
  return startInTerminal(["chat", "-i", ...args]);
}

function startInTerminal(args: string[], extraEnv: Record<string, string> = {}): Pane {
  const name = `chat${++sessions}`;
  const exitFile = join(folder, `${name}.exit`);
  const env = cleanEnv({ TERM: "xterm-256color", ...extraEnv });
  const keep = ["PATH", "HOME", "TERM", "LLMSTREAM_HOME", "LANG", "LC_ALL", ...Object.keys(extraEnv)];
  const assignments = keep
    .filter((key) => env[key] !== undefined)
    .map((key) => `${key}=${quote(env[key] ?? "")}`);
  const command = [process.execPath, cliPath, ...args].map(quote).join(" ");
  // Keep the pane after the CLI exits, so its last screen can still be read.
  const rawFile = join(folder, `${name}.raw`);
  // The short sleep lets pipe-pane start recording before the CLI writes its first byte.
  const shell = `sleep 0.3; env -i ${assignments.join(" ")} ${command}; echo $? > ${quote(exitFile)}; exec sleep 60`;
  tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", shell);
  tmux("pipe-pane", "-o", "-t", name, `cat > ${quote(rawFile)}`);
  const screen = () => tmux("capture-pane", "-p", "-t", name);
  const poll = <T>(probe: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        const value = probe();
        if (value !== undefined) return resolve(value);
        if (Date.now() - started > timeoutMs)
          return reject(new Error(`Timed out waiting for ${what}:\n${screen()}`));
        setTimeout(tick, 50);
      };
      tick();
    });
  return {
    send: (...keys) => {
      tmux("send-keys", "-t", name, ...keys);
    },
    screen,
    styledScreen: () => tmux("capture-pane", "-p", "-e", "-t", name),
    history: () => tmux("capture-pane", "-p", "-S", "-", "-t", name),
    raw: () => readFileSync(rawFile, "utf8"),
    waitFor: (predicate, timeoutMs = 8000) =>
      poll(
        () => {
          const current = screen();
          return predicate(current) ? current : undefined;
        },
        timeoutMs,
        "the screen",
      ),
    exitCode: (timeoutMs = 8000) =>
      poll(
        () => {
          try {
            return Number(readFileSync(exitFile, "utf8").trim());
          } catch {
            return undefined;
          }
        },
        timeoutMs,
        "the CLI to exit",
      ),
  };
}

/** Empty prompt lines on the screen (`> ` with nothing typed). */
const prompts = (screen: string) => screen.split("\n").filter((line) => /^>\s*$/.test(line)).length;
const answers = (screen: string) => screen.split("Meet me at the café at noon").length - 1;

function requestWith(marker: string) {
  const request = mock.requests.find((record) => record.method === "POST" && record.rawBody.includes(marker));
  if (request === undefined) throw new Error(`The mock saw no chat request containing ${marker}`);
  return { ...request, body: request.body as { messages: { role: string; content: string }[] } };
}

describe("llmstream chat -i", () => {
  it("keeps the conversation: the second request carries the first exchange; Ctrl-D exits 0", async () => {
    const pane = startInteractive(["--base-url", `${mock.url}/s/ok/v1`, "-s", "Be kind"]);
    await pane.waitFor((screen) => prompts(screen) === 1);
    pane.send("First question #multi1", "Enter");
    await pane.waitFor(
      (screen) => answers(screen) === 1 && prompts(screen) === 1 && /\n>\s*$/.test(screen.trimEnd()),
    );
    pane.send("Second question #multi2", "Enter");
    const screen = await pane.waitFor(
      (current) => answers(current) === 2 && /\n>\s*$/.test(current.trimEnd()),
    );
    expect(screen).not.toContain("Waiting for");
    expect(requestWith("#multi2").body.messages).toEqual([
      { role: "system", content: "Be kind" },
      { role: "user", content: "First question #multi1" },
      { role: "assistant", content: MOCK_ANSWER },
      { role: "user", content: "Second question #multi2" },
    ]);
    pane.send("C-d");
    expect(await pane.exitCode()).toBe(0);
  });

  it('/help lists the commands; a bracketed paste and a """ block are one message each; /bye exits 0', async () => {
    const pane = startInteractive(["--base-url", `${mock.url}/s/ok/v1`]);
    await pane.waitFor((screen) => prompts(screen) === 1);
    pane.send("/help", "Enter");
    await pane.waitFor((screen) => screen.includes("/bye, /exit, exit, quit") && prompts(screen) === 1);

    // tmux pastes with the terminal's bracketed-paste markers when the program asked for them (-p).
    tmux("set-buffer", "-b", "multi", "Pasted line one #paste1\nPasted line two");
    tmux("paste-buffer", "-p", "-b", "multi", "-t", `chat${sessions}`);
    await pane.waitFor((screen) => screen.includes("Pasted line two"));
    pane.send(" and typed", "Enter");
    await pane.waitFor((screen) => answers(screen) === 1 && /\n>\s*$/.test(screen.trimEnd()));
    expect(requestWith("#paste1").body.messages.at(-1)).toEqual({
      role: "user",
      content: "Pasted line one #paste1\nPasted line two and typed",
    });

    pane.send('"""Block line one #block1', "Enter");
    await pane.waitFor((screen) => /\n\.\.\.\s*$/.test(screen.trimEnd()));
    pane.send("exit", "Enter");
    pane.send('last line"""', "Enter");
    await pane.waitFor((screen) => answers(screen) === 2 && /\n>\s*$/.test(screen.trimEnd()));
    expect(requestWith("#block1").body.messages.at(-1)).toEqual({
      role: "user",
      content: "Block line one #block1\nexit\nlast line",
    });
    pane.send("/bye", "Enter");
    expect(await pane.exitCode()).toBe(0);
  });

  it("Ctrl-C stops the answer and returns to the prompt; the next turn keeps the partial answer", async () => {
    const pane = startInteractive(["--base-url", `${mock.url}/s/slow/v1`]);
    await pane.waitFor((screen) => prompts(screen) === 1);
    pane.send("Tell me slowly #ctrlc1", "Enter");
    await pane.waitFor((screen) => screen.includes("Hello! Meet"));
    pane.send("C-c");
    const record = await mock.waitForClose(requestWith("#ctrlc1").index);
    expect(record.clientClosedEarly).toBe(true);
    await pane.waitFor((screen) => /\n>\s*$/.test(screen.trimEnd()));

    // Ctrl-C with text on the line clears the line and stays.
    pane.send("draft that I regret");
    await pane.waitFor((screen) => screen.includes("draft that I regret"));
    pane.send("C-c");
    await pane.waitFor((screen) => !screen.includes("draft that I regret"));

    pane.send("And now? #ctrlc2", "Enter");
    await pane.waitFor(() => mock.requests.some((request) => request.rawBody.includes("#ctrlc2")));
    const messages = requestWith("#ctrlc2").body.messages;
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    const partial = messages[1]?.content ?? "";
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(MOCK_ANSWER.length);
    expect(MOCK_ANSWER.startsWith(partial)).toBe(true);
    pane.send("C-c");
    await mock.waitForClose(requestWith("#ctrlc2").index);
    await pane.waitFor((screen) => /\n>\s*$/.test(screen.trimEnd()));

    // Ctrl-C on an empty prompt ends the session.
    pane.send("C-c");
    expect(await pane.exitCode()).toBe(0);
  });
});

describe("llmstream chat on a terminal", () => {
  it("renders markdown while it streams: the final screen shows the rendered blocks, not the markup", async () => {
    const pane = startInTerminal(["chat", "--base-url", `${mock.url}/s/markdown/v1`, "List"]);
    expect(await pane.exitCode()).toBe(0);
    const screen = pane.screen();
    const expected = [
      "# Shopping list",
      "",
      "Buy three things:",
      "",
      "• apples",
      "• pears",
      "",
      "  const x = 1;",
      "",
      "┌───┬───┐",
      "│ a │ b │",
      "├───┼───┤",
      "│ 1 │ 2 │",
      "└───┴───┘",
    ];
    expect(screen.split("\n").slice(0, expected.length)).toEqual(expected);
    // Redraws erase in place: no half-drawn copy of a block was pushed into tmux's scrollback
    // (tmux saves the screen there when a program erases it from the top left corner).
    expect(pane.history().split("\n").slice(0, expected.length)).toEqual(expected);
    // Styled, not just laid out: bold emphasis and a syntax colour on the code's keyword.
    const styled = pane.styledScreen();
    expect(styled).toMatch(/\x1b\[1m(\x1b\[[0-9;]*m)*three/);
    expect(styled).toMatch(/\x1b\[3[0-7]m(\x1b\[[0-9;]*m)*const/);
    expect(screen).not.toContain("**");
    expect(screen).not.toContain("```");
    expect(screen).not.toContain("Waiting for");
  });

  it("says on the terminal that it is still waiting, and how long it will, when a server accepts and never answers", async () => {
    const silent = createNetServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const pane = startInTerminal([
        "chat",
        "--base-url",
        `http://127.0.0.1:${port}/v1`,
        "--first-token-timeout",
        "40",
        "Anyone there?",
      ]);
      await pane.waitFor((screen) => screen.includes(`Waiting for llama3 at 127.0.0.1:${port}`));
      const screen = await pane.waitFor((current) => current.includes("Still waiting"), 15_000);
      // One line, erased in place: nothing of the first text is left.
      expect(screen).not.toContain("Waiting for");
      expect(screen).toContain(
        `Still waiting for llama3 at 127.0.0.1:${port} (loading the model?); gives up after 40 s…`,
      );
      pane.send("C-c");
      expect(await pane.exitCode()).toBe(130);
    } finally {
      silent.close();
    }
  }, 30_000);

  it("on TERM=dumb writes each markdown block once, with no spinner, colour or cursor movement", async () => {
    const pane = startInTerminal(["chat", "--base-url", `${mock.url}/s/markdown/v1`, "List"], {
      TERM: "dumb",
    });
    expect(await pane.exitCode()).toBe(0);
    const raw = pane.raw();
    expect(raw).toContain("Buy three things:");
    expect(raw).not.toContain("\x1b");
    expect(raw).not.toContain("Waiting for");
    expect(pane.history().split("\n").slice(0, 3)).toEqual(["# Shopping list", "", "Buy three things:"]);
  });

  it("shows reasoning dimmed before the answer, hides it with --hide-reasoning, and drops colour with NO_COLOR", async () => {
    const base = `${mock.url}/s/reasoning-content/v1`;
    const shown = startInTerminal(["chat", "--render", "plain", "--base-url", base, "Hi"]);
    expect(await shown.exitCode()).toBe(0);
    const lines = shown.screen().split("\n");
    expect(lines.slice(0, 3)).toEqual(["The user wants a greeting.", "", MOCK_ANSWER]);
    expect(shown.styledScreen()).toContain("\u001b[2mThe user");

    const hidden = startInTerminal([
      "chat",
      "--hide-reasoning",
      "--render",
      "plain",
      "--base-url",
      base,
      "Hi",
    ]);
    expect(await hidden.exitCode()).toBe(0);
    expect(hidden.screen().split("\n")[0]).toBe(MOCK_ANSWER);

    const plain = startInTerminal(["chat", "--render", "plain", "--base-url", base, "Hi"], { NO_COLOR: "1" });
    expect(await plain.exitCode()).toBe(0);
    expect(plain.screen().split("\n")[0]).toBe("The user wants a greeting.");
    expect(plain.styledScreen()).not.toContain("\u001b[");
  });
});
