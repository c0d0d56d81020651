import type { Command } from "commander";
import { type CommandIo, processIo } from "../CommandIo.js";
import { ExitCode } from "../exitCodes.js";

const helpText = `
Starts the fault-injecting mock LLM server the tests use: OpenAI chat completions over SSE
(POST /v1/chat/completions, GET /v1/models) and Ollama's native API (POST /api/chat). A path prefix
/s/<scenario>/ picks a scenario (the default is "ok"), so any client can be tried against faults:
truncated answers, resets, HTTP errors, stalls, slow first tokens, reasoning and tool-call dialects.
The first line on stdout is the base URL. Ctrl-C (or SIGTERM) stops it.

Examples:
  $ llmstream mock --port 8089
  $ llmstream chat --base-url http://127.0.0.1:8089/s/truncated/v1 "Hi"
  $ llmstream chat --protocol ollama --base-url http://127.0.0.1:8089/s/ollama-thinking "Hi"
  $ llmstream mock --list
`;

/** Registers `llmstream mock [--port N] [--host H] [--list]`. */
export function registerMockCommand(
  program: Command,
  exit: { code: number },
  io: CommandIo = processIo(),
): Command {
  return program
    .command("mock")
    .description("Run the fault-injecting mock LLM server (OpenAI SSE and Ollama NDJSON) for trying clients")
    .option("--port <n>", "port to listen on (default: a free one)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--list", "list the scenario names and exit")
    .addHelpText("after", helpText)
    .action(async (options: MockFlags) => {
      exit.code = await runMock(options, io);
    });
}

interface MockFlags {
  port?: string;
  host: string;
  list?: boolean;
}

async function runMock(options: MockFlags, io: CommandIo): Promise<number> {
  // Loaded here, not at the top: every `llmstream` start would otherwise pay for the mock (~40 ms).
  const { builtinScenarios, runMockServer } = await import("@llmstream/mock");
  if (options.list === true) {
    io.stdout.write(`${Object.keys(builtinScenarios).sort().join("\n")}\n`);
    return ExitCode.ok;
  }
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.stderr.write(`llmstream: --port must be a whole number from 0 to 65535, got "${options.port}"\n`);
    return ExitCode.usage;
  }
  let server: Awaited<ReturnType<typeof runMockServer>>;
  try {
    server = await runMockServer({ port, host: options.host });
  } catch (error) {
    io.stderr.write(`llmstream: could not listen on ${options.host}:${port}: ${(error as Error).message}\n`);
    return ExitCode.failure;
  }
  // The handlers go in before the URL is printed: a script that stops the server as soon as it
  // has read the URL must find them in place.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  io.stdout.write(`${server.baseURL}\n`);
  io.stderr.write(
    `llmstream mock: OpenAI at ${server.baseURL}, Ollama at ${server.url}; pick a scenario with ${server.url}/s/<name>/v1 (llmstream mock --list). Ctrl-C stops it.\n`,
  );
  await stopped;
  return ExitCode.ok;
}
