import { streamChat } from "../../client/streamChat.js";
import { isLlmstreamError } from "../../errors/LlmstreamError.js";
import type { StreamEvent } from "../../types/events.js";
import type { ChatMessage, StreamChatOptions } from "../../types/options.js";
import { ExitCode } from "../runCli.js";
import { createChatOutput } from "./createChatOutput.js";
import { createNullSpinner, createSpinner, type Spinner } from "./createSpinner.js";
import { createStreamWriter, type StreamWriter } from "./createStreamWriter.js";
import { exitCodeForError } from "./exitCodeForError.js";
import { formatStats } from "./formatStats.js";
import { readStdin } from "./readStdin.js";
import {
  buildPrompt,
  type ChatSettings,
  type RawChatOptions,
  resolveChatOptions,
} from "./resolveChatOptions.js";
import { runChatTurn } from "./runChatTurn.js";
import { runInteractive } from "./runInteractive.js";
import { UsageError } from "./UsageError.js";

/** The process pieces `chat` talks to; the real ones in production, the same ones in tests. */
export interface ChatIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

/** What `chat` shares between one-shot and interactive runs. */
export interface ChatSession {
  settings: ChatSettings;
  io: ChatIO;
  stdout: StreamWriter;
  /** Prints one line on stderr. */
  warn(line: string): void;
  /** Opens the event stream of one request. */
  open(messages: ChatMessage[], signal: AbortSignal): AsyncIterable<StreamEvent>;
  /** Prints one answer and reports it on stderr; resolves to the exit code it deserves. */
  answer(messages: ChatMessage[], signal: AbortSignal): Promise<{ code: number; text?: string }>;
}

/**
 * Runs `llmstream chat`: resolves the options, reads the prompt, streams the answer, and resolves to
 * the exit code. Never throws and never calls `process.exit()` with output pending.
 */
export async function runChatCommand(prompt: string[], raw: RawChatOptions, io: ChatIO): Promise<number> {
  const warn = (line: string) => {
    io.stderr.write(`${line.replace(/\s*\r?\n\s*/g, " ")}\n`);
  };
  let settings: ChatSettings;
  try {
    settings = resolveChatOptions(raw, io.env);
  } catch (error) {
    return usageFailure(error, warn);
  }
  let aborter: AbortController | undefined;
  const stdout = createStreamWriter(io.stdout, { onBroken: () => aborter?.abort() });
  const session = createSession(settings, io, stdout, warn);
  if (settings.interactive) {
    return runInteractive({ session, initialPrompt: prompt.join(" ").trim() });
  }

  let text: string;
  try {
    const piped = io.stdin.isTTY ? undefined : await readStdin(io.stdin);
    text = buildPrompt(prompt, piped);
  } catch (error) {
    return usageFailure(error, warn);
  }
  const messages: ChatMessage[] = [
    ...(settings.system === undefined ? [] : [{ role: "system", content: settings.system }]),
    { role: "user", content: text },
  ];
  aborter = new AbortController();
  const controller = aborter;
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    // A second Ctrl-C means the first one did not stop things quickly enough: leave at once.
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  try {
    const { code } = await session.answer(messages, controller.signal);
    // After `| head`, the reader left: that is how such pipelines end, not a failure.
    return stdout.broken ? ExitCode.ok : code;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

function createSession(
  settings: ChatSettings,
  io: ChatIO,
  stdout: StreamWriter,
  warn: (line: string) => void,
): ChatSession {
  const stdoutIsTTY = io.stdout.isTTY === true;
  const color = stdoutIsTTY && (io.env.NO_COLOR ?? "") === "" && io.env.TERM !== "dumb";
  const open = (messages: ChatMessage[], signal: AbortSignal) =>
    streamChat(toStreamChatOptions(settings, messages, signal));
  const session: ChatSession = {
    settings,
    io,
    stdout,
    warn,
    open,
    async answer(messages, signal) {
      const spinner = makeSpinner(settings, io);
      const output = createChatOutput({
        writer: stdout,
        mode: settings.json ? "json" : "text",
        color,
        // A pipe or a file gets the answer only; reasoning is in `--json`.
        showReasoning: stdoutIsTTY && !settings.hideReasoning,
        onFirstOutput: () => spinner.stop(),
      });
      const outcome = await runChatTurn({ events: open(messages, signal), output, spinner });
      const result = outcome.result ?? (isLlmstreamError(outcome.error) ? outcome.error.partial : undefined);
      let code: number = ExitCode.ok;
      if (outcome.error !== undefined) {
        code = exitCodeForError(outcome.error);
        if (code !== ExitCode.interrupted) warn(`error: ${outcome.error.message}`);
      } else if (outcome.result?.finishReason === "aborted") {
        code = ExitCode.interrupted;
      }
      for (const warning of result?.warnings ?? []) warn(`warning: ${warning}`);
      if (settings.stats && result !== undefined) warn(formatStats(result));
      return result === undefined ? { code } : { code, text: result.text };
    },
  };
  return session;
}

function makeSpinner(settings: ChatSettings, io: ChatIO): Spinner {
  if (settings.json || io.stderr.isTTY !== true) return createNullSpinner();
  let where = settings.baseURL;
  try {
    where = new URL(settings.baseURL).host;
  } catch {}
  return createSpinner(io.stderr, { text: `Waiting for ${settings.model} at ${where}…` });
}

/** The request options for one turn. */
export function toStreamChatOptions(
  settings: ChatSettings,
  messages: ChatMessage[],
  signal: AbortSignal,
): StreamChatOptions {
  const options: StreamChatOptions = {
    baseURL: settings.baseURL,
    protocol: settings.protocol,
    model: settings.model,
    messages,
    signal,
    timeouts: settings.timeouts,
    stream: settings.stream,
  };
  if (settings.apiKey !== undefined) options.apiKey = settings.apiKey;
  if (settings.temperature !== undefined) options.temperature = settings.temperature;
  if (settings.maxTokens !== undefined) options.maxTokens = settings.maxTokens;
  if (settings.seed !== undefined) options.seed = settings.seed;
  if (settings.retries !== undefined) options.retry = settings.retries;
  return options;
}

function usageFailure(error: unknown, warn: (line: string) => void): number {
  if (error instanceof UsageError || error instanceof RangeError) {
    warn(`error: ${error.message} (see llmstream chat --help)`);
    return ExitCode.usage;
  }
  warn(`error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.failure;
}
