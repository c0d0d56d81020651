import { Command, CommanderError } from "commander";
import { registerBenchCommand } from "./commands/bench.js";
import { registerChatCommand } from "./commands/chat.js";
import { registerLogsCommand } from "./commands/logs.js";
import { registerMockCommand } from "./commands/mock.js";
import { registerModelsCommand } from "./commands/models.js";
import { registerPullCommand } from "./commands/pull.js";
import { registerServeCommand } from "./commands/serve.js";
import { ExitCode } from "./exitCodes.js";
import { version } from "./version.js";

const programHelp = `
Examples:
  $ llmstream chat "Why is the sky blue?"
  $ cat notes.txt | llmstream chat --stats "Summarise this"
  $ llmstream chat -i --base-url http://127.0.0.1:8080/v1 -m qwen2.5
  $ llmstream models
  $ llmstream logs stats --since 1d
  $ llmstream serve --port 0

Each command has its own help, with examples and (for chat) the exit codes: llmstream help chat
`;

/**
 * Builds the `llmstream` program. Each command lives in `commands/<name>.ts` and registers itself;
 * commands report their exit code through `exit.code` (values in `exitCodes.ts`) instead of calling `process.exit()`, so
 * stdout drains.
 */
export function createProgram(): { program: Command; exit: { code: number } } {
  const exit = { code: 0 };
  const program = new Command("llmstream")
    .description("Stream LLM output as it is generated, and measure it")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(message) })
    .addHelpText("after", programHelp);
  registerChatCommand(program, exit);
  registerLogsCommand(program, exit);
  registerModelsCommand(program, exit);
  registerPullCommand(program, exit);
  registerMockCommand(program, exit);
  registerBenchCommand(program, exit);
  registerServeCommand(program, exit);
  return { program, exit };
}

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { program, exit } = createProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      return ExitCode.usage;
    }
    throw error;
  }
  return exit.code;
}
