import { createInterface } from "node:readline";
import type { ChatMessage } from "llmstream";
import { ExitCode } from "../exitCodes.js";
import type { ChatSession } from "./ChatSession.js";
import { createInputAssembler, interactiveHelp } from "./createInputAssembler.js";

/** Lines of input history kept for the arrow keys. */
export const historySize = 1000;

/**
 * Runs a multi-turn conversation (`chat -i`). Each answer is streamed like a one-shot `chat`, and
 * the exchange joins the history sent with the next question; a failed turn with no answer text is
 * left out of it. On a terminal: line editing and history (node:readline); Ctrl-C during an answer
 * stops it and returns to the prompt; Ctrl-C on an empty prompt, Ctrl-D, `/bye`, `/exit`, `exit` or
 * `quit` ends the session; `/help` lists the commands; a pasted block (bracketed paste) or a `"""`
 * block is one message. When stdin is not a terminal, each line is one question (or command) and
 * the session ends with the input.
 */
export async function runInteractive(options: {
  session: ChatSession;
  initialPrompt: string;
}): Promise<number> {
  const { session } = options;
  const { io, settings } = session;
  const { stdin } = io;
  const isTTY = stdin.isTTY === true;
  const rl = createInterface({
    input: stdin,
    // With --json, stdout carries only NDJSON: the prompt goes to stderr.
    output: settings.json ? io.stderr : io.stdout,
    terminal: isTTY,
    history: [],
    historySize,
    prompt: "> ",
  });
  const lines: { text: string; pasting: boolean }[] = [];
  let closed = false;
  // Bracketed paste: the terminal marks pasted text, so a pasted block of lines is one message.
  let pasting = false;
  const onKeypress = (_: unknown, key: { name?: string } | undefined) => {
    if (key?.name === "paste-start") pasting = true;
    else if (key?.name === "paste-end") pasting = false;
  };
  const promptOutput = settings.json ? io.stderr : io.stdout;
  if (isTTY) {
    stdin.on("keypress", onKeypress);
    promptOutput.write("\x1b[?2004h");
  }
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  rl.on("line", (line) => {
    lines.push({ text: line, pasting });
    notify();
  });
  rl.on("close", () => {
    closed = true;
    notify();
  });
  let turn: AbortController | undefined;
  // Raw mode delivers Ctrl-C at the prompt as a key press.
  rl.on("SIGINT", () => {
    if (rl.line === "") {
      rl.close();
      return;
    }
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
  });
  // During an answer the terminal is in cooked mode, so Ctrl-C arrives as a real signal.
  const onSignal = () => {
    if (turn !== undefined) turn.abort();
    else rl.close();
  };
  // SIGTERM ends the session like Ctrl-D, stopping the answer under way like Ctrl-C.
  let terminated = false;
  const onTerminate = () => {
    terminated = true;
    turn?.abort();
    rl.close();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onTerminate);

  const nextLine = async (): Promise<{ text: string; pasting: boolean } | undefined> => {
    while (lines.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
    return lines.shift();
  };

  const messages: ChatMessage[] =
    settings.system === undefined ? [] : [{ role: "system", content: settings.system }];
  const ask = async (question: string) => {
    if (isTTY) {
      rl.pause();
      stdin.setRawMode(false);
    }
    turn = new AbortController();
    messages.push({ role: "user", content: question });
    const { text } = await session.answer(messages, turn.signal);
    turn = undefined;
    if (text !== undefined && text !== "") messages.push({ role: "assistant", content: text });
    else messages.pop();
    if (isTTY && !closed) {
      stdin.setRawMode(true);
      rl.resume();
    }
  };

  try {
    if (options.initialPrompt !== "") await ask(options.initialPrompt);
    const assembler = createInputAssembler();
    let more = false;
    while (!session.stdout.broken) {
      if (isTTY && !closed && lines.length === 0) {
        rl.setPrompt(more ? "... " : "> ");
        rl.prompt();
      }
      const line = await nextLine();
      const input =
        line === undefined ? assembler.end() : assembler.line(line.text, { pasting: line.pasting });
      if (input === undefined || input.kind === "exit") break;
      more = input.kind === "more";
      if (input.kind === "message") await ask(input.text);
      else if (input.kind === "help") io.stderr.write(`${interactiveHelp}\n`);
      else if (input.kind === "unknown-command")
        session.warn(
          `Unknown command ${input.name}: type /help for the commands, or """ to start a message with it`,
        );
    }
  } finally {
    if (isTTY) {
      stdin.off("keypress", onKeypress);
      promptOutput.write("\x1b[?2004l");
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onTerminate);
    rl.close();
    if (isTTY) (settings.json ? io.stderr : io.stdout).write("\n");
  }
  return terminated ? ExitCode.terminated : ExitCode.ok;
}
