/**
 * Waits `ms`, or less if the signal aborts: then it resolves early (never rejects), and the caller
 * checks the signal.
 *
 * @example
 * ```ts
 * await sleep(backoffMs, signal);
 * if (signal.aborted) return;
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
