/** Where the progress bar draws: a stream that may be a terminal. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A one-line progress bar on a terminal's stderr, redrawn at most every 100 ms; nothing on a pipe. */
export function createProgressBar(stderr: ProgressOutput): {
  update(label: string, done: number, fraction: number): void;
  clear(): void;
} {
  if (stderr.isTTY !== true) return { update() {}, clear() {} };
  let last = 0;
  let drawn = false;
  return {
    update(label, done, fraction) {
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done} done  ${label}`;
      stderr.write(`\r\x1b[2K${line.slice(0, (stderr.columns ?? 80) - 1)}`);
      drawn = true;
    },
    clear() {
      if (drawn) stderr.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
