/** What a spinner draws on: a terminal stream. */
export interface SpinnerTarget {
  write(text: string): unknown;
}

/** A one-line spinner, shown while waiting for the first token. */
export interface Spinner {
  /** Starts drawing (no-op when already running). */
  start(): void;
  /** Stops and erases the line, leaving the cursor at its start (no-op when not running). */
  stop(): void;
}

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Erase the whole line and return to its start. */
const clearLine = "\r\u001b[2K";

/**
 * Creates a spinner drawing `⠋ text` on `target` every `intervalMs`. The caller decides whether the
 * target is a terminal; use {@link createNullSpinner} otherwise. The timer is `unref`ed so a forgotten
 * spinner never keeps the process alive.
 */
export function createSpinner(
  target: SpinnerTarget,
  options: { text: string; intervalMs?: number },
): Spinner {
  const intervalMs = options.intervalMs ?? 80;
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  const draw = () => {
    target.write(`${clearLine}${frames[frame % frames.length]} ${options.text}`);
    frame += 1;
  };
  return {
    start() {
      if (timer !== undefined) return;
      draw();
      timer = setInterval(draw, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      target.write(clearLine);
    },
  };
}

/** A spinner that draws nothing, for pipes, files and `--json`. */
export function createNullSpinner(): Spinner {
  return { start() {}, stop() {} };
}
