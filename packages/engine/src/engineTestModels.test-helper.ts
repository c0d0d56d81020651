import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeltaSink, DeltaSource, ToolCallFragment, UsageReport, UsageSource } from "llmstream";
import { parseGgufHeader } from "./parseGgufHeader.js";

/** The shared tiny models, found relative to the repository (CI clones it beside `shared/`). */
export const sharedModelsDir = fileURLToPath(new URL("../../../../shared/models/", import.meta.url));
export const storiesModel = join(sharedModelsDir, "stories260K.gguf");
export const randomLlamaModel = join(sharedModelsDir, "llama-2-tiny-random.gguf");

/** Everything a source pushed, in order. */
export interface Recording {
  calls: string[];
  texts: { text: string; tokens: number | undefined }[];
  usage?: { usage: UsageReport; source: UsageSource };
  warnings: string[];
  finish?: string;
  model?: string;
  ended: boolean;
  responded: boolean;
  text(): string;
}

/** A sink that records every call, for testing sources without the stream. */
export function createRecordingSink(): { sink: DeltaSink; recording: Recording } {
  const recording: Recording = {
    calls: [],
    texts: [],
    warnings: [],
    ended: false,
    responded: false,
    text: () => recording.texts.map((entry) => entry.text).join(""),
  };
  const sink: DeltaSink = {
    chunk: () => recording.calls.push("chunk"),
    text: (text, tokens) => {
      recording.calls.push("text");
      recording.texts.push({ text, tokens });
    },
    reasoning: () => recording.calls.push("reasoning"),
    toolCallFragment: (_fragment: ToolCallFragment) => recording.calls.push("toolCallFragment"),
    toolCall: () => recording.calls.push("toolCall"),
    finish: (reason) => {
      recording.calls.push("finish");
      recording.finish = reason;
    },
    usage: (usage, source) => {
      recording.calls.push("usage");
      recording.usage = { usage, source };
    },
    timings: () => recording.calls.push("timings"),
    meta: (model) => {
      recording.calls.push("meta");
      if (model !== undefined) recording.model = model;
    },
    serverError: () => recording.calls.push("serverError"),
    warning: (message) => {
      recording.calls.push("warning");
      recording.warnings.push(message);
    },
    end: () => {
      recording.calls.push("end");
      recording.ended = true;
    },
  };
  return { sink, recording };
}

/** Runs a source to the end; `onStep` sees the recording after each step (to abort mid-way). */
export async function runSource(
  source: DeltaSource,
  options: { signal?: AbortSignal; onStep?: (recording: Recording) => void } = {},
): Promise<Recording> {
  const { sink, recording } = createRecordingSink();
  const signal = options.signal ?? new AbortController().signal;
  const steps = source({ sink, signal, attempt: 1, onResponse: () => (recording.responded = true) });
  for await (const _ of steps) options.onStep?.(recording);
  return recording;
}

/**
 * Writes a copy of a GGUF file with `tokenizer.chat_template` added, so the chat-template path can be
 * tested with a real (tiny) model. Returns the copy's path and a cleanup function.
 */
export async function withChatTemplate(
  source: string,
  template: string,
): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const header = parseGgufHeader(source);
  const bytes = await readFile(source);
  const key = Buffer.from("tokenizer.chat_template");
  const value = Buffer.from(template);
  const entry = Buffer.alloc(8 + key.length + 4 + 8 + value.length);
  let at = entry.writeBigUInt64LE(BigInt(key.length), 0);
  at += key.copy(entry, at);
  at = entry.writeUInt32LE(8, at);
  at = entry.writeBigUInt64LE(BigInt(value.length), at);
  value.copy(entry, at);
  const head = Buffer.from(bytes.subarray(0, header.metadataEnd));
  head.writeBigUInt64LE(head.readBigUInt64LE(16) + 1n, 16);
  const tensorInfo = bytes.subarray(header.metadataEnd, header.tensorInfoEnd);
  const infoEnd = head.length + entry.length + tensorInfo.length;
  const padding = Buffer.alloc((header.alignment - (infoEnd % header.alignment)) % header.alignment);
  const directory = await mkdtemp(join(tmpdir(), "llmstream-chat-model-"));
  const file = join(directory, "stories-chat.gguf");
  await writeFile(file, Buffer.concat([head, entry, tensorInfo, padding, bytes.subarray(header.dataOffset)]));
  return { file, cleanup: () => rm(directory, { recursive: true, force: true }) };
}

/** A ChatML template, as many chat models ship it. */
export const chatMlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
