import { basename } from "node:path";
import { createRequestLog, type RequestLog } from "@llmstream/log";
import type { TextRenderer } from "@llmstream/render";
import type { ChatMessage } from "llmstream";
import { isLlmstreamError } from "llmstream";
import { ExitCode } from "../exitCodes.js";
import { inCliTerms } from "../inCliTerms.js";
import type { ChatIO, ChatSession } from "./ChatSession.js";
import { type ChatBackend, chooseBackend } from "./chooseBackend.js";
import { createChatOutput } from "./createChatOutput.js";
import { createNullSpinner, createSpinner, type Spinner } from "./createSpinner.js";
import { createStreamWriter, type StreamWriter } from "./createStreamWriter.js";
import { exitCodeForError } from "./exitCodeForError.js";
import { formatStats } from "./formatStats.js";
import { openChatEvents } from "./openChatEvents.js";
import { readPipeWithGrace, readStdin, stdinGraceMs, stdinKind } from "./readStdin.js";
import {
  buildPrompt,
  type ChatSettings,
  type RawChatOptions,
  resolveChatOptions,
} from "./resolveChatOptions.js";
import { runChatTurn } from "./runChatTurn.js";
import { runInteractive } from "./runInteractive.js";
import { terminalFeatures } from "./terminalFeatures.js";
import { UsageError } from "./UsageError.js";

/**
 * Runs `llmstream chat`: resolves the options, reads the prompt, streams the answer, and resolves to
 * the exit code. Never throws and never calls `process.exit()` with output pending (only a second
 * Ctrl-C, when the first did not stop things, leaves at once).
 */
export async function runChatCommand(prompt: string[], raw: RawChatOptions, io: ChatIO): Promise<number> {
  const warn = (line: string) => {
    io.stderr.write(`${line.replace(/\s*\r?\n\s*/g, " ")}\n`);
  };
  let settings: ChatSettings;
  let text = "";
  try {
    settings = resolveChatOptions(raw, io.env);
    if (!settings.interactive) {
      text = buildPrompt(prompt, await readPipedText(prompt.join(" ").trim() !== "", io, warn));
    }
  } catch (error) {
    return usageFailure(error, warn);
  }
  let backend: ChatBackend;
  try {
    backend = await chooseBackend(settings, { env: io.env, note: warn });
  } catch (error) {
    warn(`error: ${inCliTerms(error instanceof Error ? error.message : String(error))}`);
    return ExitCode.failure;
  }
  const log = createRequestLog({
    source: "chat",
    log: settings.log,
    logContent: settings.logContent,
    env: io.env,
    onSinkError: ({ message }) => warn(`warning: ${inCliTerms(message)}`),
    ...(settings.logFile === undefined ? {} : { logFile: settings.logFile }),
  });
  let aborter: AbortController | undefined;
  const stdout = createStreamWriter(io.stdout, { onBroken: () => aborter?.abort() });
  // Loaded while the request is on its way (the markdown renderer's modules take ~0.2 s to load here),
  // not before it: the first text waits for it only if it arrives first.
  const renderer = startRendererLoad(settings, io);
  const session = createSession({ settings, io, stdout, warn, backend, log, renderer });
  try {
    if (settings.interactive)
      return await runInteractive({ session, initialPrompt: prompt.join(" ").trim() });
    const messages: ChatMessage[] = [
      ...(settings.system === undefined ? [] : [{ role: "system", content: settings.system }]),
      { role: "user", content: text },
    ];
    aborter = new AbortController();
    const controller = aborter;
    let interrupts = 0;
    let terminated = false;
    // SIGTERM (`timeout`, `docker stop`, systemd) ends the request like Ctrl-C: connection closed,
    // partial text kept and logged as aborted; only the exit code differs.
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts += 1;
      if (signal === "SIGTERM") terminated = true;
      // A second signal means the first one did not stop things quickly enough: leave at once.
      if (interrupts > 1) process.exit(terminated ? ExitCode.terminated : ExitCode.interrupted);
      controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const { code } = await session.answer(messages, controller.signal);
      if (terminated) return ExitCode.terminated;
      // After `| head`, the reader left: that is how such pipelines end, not a failure.
      return stdout.broken ? ExitCode.ok : code;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  } finally {
    await log.close();
    // node-llama-cpp keeps native threads alive until the model is released.
    if (backend.kind === "engine") await backend.engine.disposeEngine().catch(() => {});
  }
}

/**
 * The stdin rule: a terminal is never read. Without a prompt argument, stdin is the prompt and is
 * read to its end. With one, a file redirect is read to its end, and a pipe only while it delivers:
 * it must write or close within {@link stdinGraceMs} (and again after each chunk), so a pipe that
 * nobody writes to never holds the answer up.
 */
async function readPipedText(
  hasPrompt: boolean,
  io: ChatIO,
  warn: (line: string) => void,
): Promise<string | undefined> {
  const kind = stdinKind(io.stdin);
  if (kind === "terminal") return undefined;
  if (kind === "file" || !hasPrompt) return readStdin(io.stdin);
  const { text, ended } = await readPipeWithGrace(io.stdin);
  if (!ended && text !== "") {
    warn(
      `warning: stdin went quiet for ${stdinGraceMs} ms without closing; using the ${Buffer.byteLength(text)} bytes received (to wait for all of it, give the whole prompt on stdin, without prompt arguments)`,
    );
  }
  return text;
}

type RendererFactory = (write: (text: string) => void) => Promise<TextRenderer>;

/**
 * The markdown renderer when it applies: text output to a terminal (unless `--render plain`), or
 * `--render markdown` asked for explicitly (then without cursor movement when not a terminal). Its
 * module starts loading now; the factory waits for it.
 */
function startRendererLoad(settings: ChatSettings, io: ChatIO): RendererFactory | undefined {
  const isTTY = io.stdout.isTTY === true;
  const mode = settings.render ?? (isTTY ? "markdown" : "plain");
  if (settings.json || mode === "plain") return undefined;
  const loading = import("@llmstream/render");
  // A failed load is reported by the first answer that needs it, not as an unhandled rejection.
  loading.catch(() => {});
  const { color, cursor } = terminalFeatures(io.stdout, io.env);
  return async (write) =>
    (await loading).createMarkdownRenderer({
      write,
      color,
      // Without cursor movement (TERM=dumb) each block is written once, when finished.
      live: cursor,
      columns: () => io.stdout.columns ?? 80,
      rows: () => io.stdout.rows ?? 24,
    });
}

function createSession(parts: {
  settings: ChatSettings;
  io: ChatIO;
  stdout: StreamWriter;
  warn: (line: string) => void;
  backend: ChatBackend;
  log: RequestLog;
  renderer: RendererFactory | undefined;
}): ChatSession {
  const { settings, io, stdout, warn, backend, log } = parts;
  const stdoutIsTTY = io.stdout.isTTY === true;
  const { color } = terminalFeatures(io.stdout, io.env);
  // A warning (e.g. "this model has no chat template") is worth saying once per session.
  const warned = new Set<string>();
  return {
    settings,
    io,
    stdout,
    warn,
    async answer(messages, signal) {
      const spinner = makeSpinner(settings, io, backend);
      const output = createChatOutput({
        writer: stdout,
        mode: settings.json ? "json" : "text",
        color,
        // A pipe or a file gets the answer only; reasoning is in `--json`.
        showReasoning: stdoutIsTTY && !settings.hideReasoning,
        onFirstOutput: () => spinner.stop(),
        ...(parts.renderer === undefined ? {} : { createRenderer: parts.renderer }),
      });
      const onResize = () => output.resize();
      io.stdout.on("resize", onResize);
      const events = openChatEvents({
        backend,
        settings,
        messages: [...messages],
        signal,
        stdoutIsTTY,
        onFinish: log.onFinish,
        // Said before the answer, not after it: a newcomer's first story should not end in a surprise.
        onEnginePrepared: ({ plainCompletion, modelFile }) => {
          if (!plainCompletion || backend.kind !== "engine") return;
          const warning = backend.engine.plainCompletionWarning(backend.engine.modelNameOfFile(modelFile));
          if (warned.has(warning)) return;
          warned.add(warning);
          spinner.stop();
          warn(`warning: ${inCliTerms(warning)}`);
        },
      });
      const outcome = await runChatTurn({ events, output, spinner });
      io.stdout.off("resize", onResize);
      const result = outcome.result ?? (isLlmstreamError(outcome.error) ? outcome.error.partial : undefined);
      let code: number = ExitCode.ok;
      if (outcome.error !== undefined) {
        code = exitCodeForError(outcome.error);
        if (code !== ExitCode.interrupted) warn(`error: ${inCliTerms(outcome.error.message)}`);
      } else if (outcome.result?.finishReason === "aborted") {
        code = ExitCode.interrupted;
      }
      for (const warning of result?.warnings ?? []) {
        if (warned.has(warning)) continue;
        warned.add(warning);
        warn(`warning: ${inCliTerms(warning)}`);
      }
      if (settings.stats && result !== undefined) warn(formatStats(result));
      return result === undefined ? { code } : { code, text: result.text };
    },
  };
}

/** After this long without a first token, the spinner says that it is still waiting, and how long it will. */
const stillWaitingAfterMs = 10_000;

function makeSpinner(settings: ChatSettings, io: ChatIO, backend: ChatBackend): Spinner {
  if (settings.json || !terminalFeatures(io.stderr, io.env).cursor) return createNullSpinner();
  if (backend.kind === "engine")
    return createSpinner(io.stderr, { text: `Running ${basename(backend.modelFile)}…` });
  let where = settings.baseURL;
  try {
    where = new URL(settings.baseURL).host;
  } catch {}
  const limit = settings.timeouts.firstTokenMs;
  return createSpinner(io.stderr, {
    text: `Waiting for ${settings.model} at ${where}…`,
    later: {
      afterMs: stillWaitingAfterMs,
      text: `Still waiting for ${settings.model} at ${where} (loading the model?); ${
        limit === undefined ? "no time limit" : `gives up after ${Math.round(limit / 1000)} s`
      }…`,
    },
  });
}

function usageFailure(error: unknown, warn: (line: string) => void): number {
  if (error instanceof UsageError || error instanceof RangeError) {
    warn(`error: ${error.message} (see llmstream chat --help)`);
    return ExitCode.usage;
  }
  warn(`error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.failure;
}
