/**
 * The clock and timers a time-based transform uses. Tests inject a fake one; the default is the
 * real `performance.now()` and `setTimeout`.
 */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock and timers. */
export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves to the first of `promise` and a timeout of `ms`, the latter as `undefined`. */
export function raceTimeout<T>(promise: Promise<T>, ms: number, timers: Timers): Promise<T | undefined> {
  if (ms <= 0) return Promise.race([promise, Promise.resolve(undefined)]);
  return new Promise<T | undefined>((resolve, reject) => {
    const handle = timers.setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        timers.clearTimeout(handle);
        resolve(value);
      },
      (error: unknown) => {
        timers.clearTimeout(handle);
        reject(error);
      },
    );
  });
}
