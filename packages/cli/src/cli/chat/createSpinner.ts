/** What a spinner draws on: a terminal stream. */
export interface SpinnerTarget {
  write(text: string): unknown;
  /** The terminal's width: a longer line would wrap, and erasing it would leave its first part behind. */
  columns?: number;
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
  options: {
    text: string;
    intervalMs?: number;
    /** Shown instead of `text` once the spinner has run this long: a wait that deserves a word. */
    later?: { afterMs: number; text: string };
  },
): Spinner {
  const intervalMs = options.intervalMs ?? 80;
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  let startedAt = 0;
  const draw = () => {
    const later = options.later;
    const text =
      later !== undefined && performance.now() - startedAt >= later.afterMs ? later.text : options.text;
    const room = target.columns === undefined ? text.length : Math.max(0, target.columns - 3);
    const shown = text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
    target.write(`${clearLine}${frames[frame % frames.length]} ${shown}`);
    frame += 1;
  };
  return {
    start() {
      if (timer !== undefined) return;
      startedAt = performance.now();
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
