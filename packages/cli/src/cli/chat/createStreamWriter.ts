/** The part of a Node writable stream the writer uses (stdout, a socket, a file stream). */
export interface WritableLike {
  write(chunk: string): boolean;
  once(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
}

/** Writes text, waiting when the stream's buffer is full, and notices a closed reader. */
export interface StreamWriter {
  /** Writes `text`; resolves at once when the buffer has room, else when it drained. Never rejects. */
  write(text: string): Promise<void>;
  /** True once the stream failed (e.g. `EPIPE` after `| head -1`); later writes are dropped. */
  readonly broken: boolean;
}

/**
 * Wraps a writable stream so output is back-pressured (no unbounded buffering when the reader is
 * slow) and a broken pipe ends output quietly instead of crashing with a stack trace. `onBroken` is
 * called once, so the caller can stop the request.
 */
export function createStreamWriter(
  stream: WritableLike,
  options: { onBroken?: () => void } = {},
): StreamWriter {
  let broken = false;
  stream.on("error", () => {
    if (broken) return;
    broken = true;
    options.onBroken?.();
  });
  return {
    get broken() {
      return broken;
    },
    write(text) {
      if (broken || text === "") return Promise.resolve();
      if (stream.write(text)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          stream.off("drain", done);
          stream.off("error", done);
          stream.off("close", done);
          resolve();
        };
        stream.once("drain", done);
        stream.once("error", done);
        stream.once("close", done);
      });
    },
  };
}
