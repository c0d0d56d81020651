import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommandIo } from "./CommandIo.js";
import type { ChatIO } from "./chat/ChatSession.js";
import { registerBenchCommand } from "./commands/bench.js";
import { registerChatCommand } from "./commands/chat.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerMockCommand } from "./commands/mock.js";
import { registerModelsCommand } from "./commands/models.js";
import { registerPullCommand } from "./commands/pull.js";
import { registerServeCommand } from "./commands/serve.js";
import { ExitCode } from "./exitCodes.js";
import { createProgram } from "./runCli.js";

// One I/O convention for every command: it is registered with an injectable `io`, writes only there,
// and reports its exit code through `exit.code` (nothing calls process.exit or writes to the process).
type Register = (program: Command, exit: { code: number }, io: CommandIo & ChatIO) => Command;
const registers: Record<string, Register> = {
  chat: registerChatCommand,
  logs: registerLogsCommand,
  models: registerModelsCommand,
  pull: registerPullCommand,
  mock: registerMockCommand,
  bench: registerBenchCommand,
  serve: registerServeCommand,
};

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "llmstream-command-io-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const fake = (into: string[]) =>
    ({ write: (text: string) => into.push(text) > 0, isTTY: false }) as unknown as NodeJS.WriteStream;
  const io = {
    stdin: process.stdin,
    stdout: fake(out),
    stderr: fake(err),
    env: { LLMSTREAM_HOME: home, LLMSTREAM_MODELS_DIR: home, LLMSTREAM_NO_LOG: "1" },
  };
  const program = new Command("llmstream").exitOverride();
  const exit = { code: -1 };
  const register = registers[args[0] ?? ""];
  if (register === undefined) throw new Error(`no command ${args[0]}`);
  register(program, exit, io);
  const processOut = vi.spyOn(process.stdout, "write");
  const processErr = vi.spyOn(process.stderr, "write");
  try {
    await program.parseAsync(args, { from: "user" });
    expect(processOut).not.toHaveBeenCalled();
    expect(processErr).not.toHaveBeenCalled();
  } finally {
    processOut.mockRestore();
    processErr.mockRestore();
  }
  return { code: exit.code, stdout: out.join(""), stderr: err.join("") };
}

describe("every command follows one I/O convention", () => {
  it("covers every command of the program", () => {
    expect(
      createProgram()
        .program.commands.map((command) => command.name())
        .sort(),
    ).toEqual(Object.keys(registers).sort());
  });

  it.each([
    [["mock", "--list"], ExitCode.ok, { stdout: /^ok$/m }],
    [["mock", "--port", "99999"], ExitCode.usage, { stderr: /--port must be a whole number/ }],
    [["logs", "path"], ExitCode.ok, { stdout: /llmstream-command-io-.*logs\.db\n$/ }],
    [["logs", "list"], ExitCode.ok, { stderr: /^No requests logged yet/ }],
    [["logs", "list", "-n", "x"], ExitCode.usage, { stderr: /^-n must be a whole number/ }],
    [["models"], ExitCode.ok, { stdout: /MODEL\s+SIZE|^No models found/ }],
    [["models", "--protocol", "x"], ExitCode.usage, { stderr: /^llmstream models: --protocol needs/ }],
    [
      ["pull", "https://127.0.0.1:9/m.gguf", "--sha256", "nope"],
      ExitCode.failure,
      { stderr: /^llmstream pull: The expected sha256 must be 64 hex digits/ },
    ],
    [["bench", "--concurrency", "x"], ExitCode.usage, { stderr: /^llmstream bench: / }],
    [["serve", "--port", "x"], ExitCode.usage, { stderr: /^llmstream serve: --port must be a whole number/ }],
    [["chat", "--base-url", "nope", "Hi"], ExitCode.usage, { stderr: /^error: --base-url must be an http/ }],
  ] as const)("%j writes to the io it was given and sets exit.code %i", async (args, code, expected) => {
    const result = await run([...args]);
    expect(result.code).toBe(code);
    if ("stdout" in expected) expect(result.stdout).toMatch(expected.stdout);
    if ("stderr" in expected) expect(result.stderr).toMatch(expected.stderr);
  });
});
