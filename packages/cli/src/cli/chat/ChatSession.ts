import type { ChatMessage } from "llmstream";
import type { CommandIo } from "../CommandIo.js";
import type { StreamWriter } from "./createStreamWriter.js";
import type { ChatSettings } from "./resolveChatOptions.js";

/** The process pieces `chat` talks to: real streams, for the terminal's size, resize and raw input. */
export interface ChatIO extends CommandIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

/** What one-shot and interactive runs share: settings, output, and how to answer a question. */
export interface ChatSession {
  settings: ChatSettings;
  io: ChatIO;
  stdout: StreamWriter;
  /** Prints one line on stderr. */
  warn(line: string): void;
  /** Streams one answer to stdout and reports on stderr; resolves to its exit code and answer text. */
  answer(messages: ChatMessage[], signal: AbortSignal): Promise<{ code: number; text?: string }>;
}
