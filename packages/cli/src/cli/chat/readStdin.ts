import { fstatSync } from "node:fs";

/** Largest prompt read from stdin, in bytes: far beyond any model's context, small enough for memory. */
export const maxStdinBytes = 16 * 1024 * 1024;

/**
 * How long a pipe or socket on stdin may stay silent, in ms, before `chat "prompt"` stops waiting for
 * it: at the start (nothing written yet) and again after each chunk.
 */
export const stdinGraceMs = 400;

/**
 * Reads a stream (stdin) to its end as UTF-8 text. Chunks are collected and decoded once, so a
 * character split across chunks survives. Rejects with a `RangeError` past `maxBytes`.
 */
export async function readStdin(
  input: AsyncIterable<Buffer | string>,
  options: { maxBytes?: number } = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? maxStdinBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** What stdin is, as far as the prompt rule cares. */
export type StdinKind = "terminal" | "file" | "pipe";

/**
 * Classifies stdin: a terminal is never read; a regular file or device (`< notes.txt`,
 * `</dev/null`) always ends, so it is read to its end; anything else (a FIFO from `cat x |`, the
 * socket pair Node's `spawn` gives a child, a pipe ssh holds open) may stay open forever.
 */
export function stdinKind(stdin: { isTTY?: boolean; fd?: number }): StdinKind {
  if (stdin.isTTY === true) return "terminal";
  if (typeof stdin.fd !== "number") return "pipe";
  try {
    // bigint: on Node 20, a plain fstatSync of a pipe or socket leaves the ESM loader resolving
    // symlinked packages (npm workspaces, pnpm) by their link path, not their real one, for the rest
    // of the process; the engine imported after it then looked for its model and node-llama-cpp's
    // dependencies in the wrong place. The bigint form does not (readStdin.test.ts reproduces both).
    const stat = fstatSync(stdin.fd, { bigint: true });
    return stat.isFile() || stat.isCharacterDevice() || stat.isBlockDevice() ? "file" : "pipe";
  } catch {
    return "pipe";
  }
}

/** What {@link readPipeWithGrace} found. */
export interface PipeRead {
  text: string;
  /** True when the pipe ended; false when it went silent for the grace window and was left open. */
  ended: boolean;
}

/**
 * Reads a pipe while it delivers: it resolves when the pipe ends, or when it has been silent for
 * `graceMs` (at the start, or since its last chunk), leaving the rest unread. This is how
 * `chat "prompt"` takes `cat notes.txt |` without ever waiting on a pipe nobody writes to (a parent
 * process's default `spawn` stdio, `ssh host llmstream chat "hi"`). An abandoned stream is
 * destroyed, so it keeps nothing alive.
 */
export function readPipeWithGrace(
  input: NodeJS.ReadableStream & { destroy?(): void },
  options: { graceMs?: number; maxBytes?: number } = {},
): Promise<PipeRead> {
  const graceMs = options.graceMs ?? stdinGraceMs;
  const maxBytes = options.maxBytes ?? maxStdinBytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = (ended: boolean, error?: unknown) => {
      clearTimeout(timer);
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
      if (!ended) {
        input.pause();
        input.destroy?.();
      }
      if (error !== undefined) reject(error);
      else resolve({ text: Buffer.concat(chunks).toString("utf8"), ended });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(false), graceMs);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) return settle(false, tooLarge(maxBytes));
      chunks.push(buffer);
      arm();
    };
    const onEnd = () => settle(true);
    const onError = (error: unknown) => settle(true, error);
    input.on("data", onData);
    input.on("end", onEnd);
    input.on("error", onError);
    arm();
  });
}

function tooLarge(maxBytes: number): RangeError {
  return new RangeError(`Input on stdin is larger than ${maxBytes} bytes: pass a shorter text`);
}
