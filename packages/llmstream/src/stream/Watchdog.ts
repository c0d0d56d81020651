import type { TimeoutKind } from "../errors/TimeoutError.js";
import type { Timeouts } from "../types/options.js";

/** The token timestamps the watchdog reads (the stream's `ResponseAccumulator`). */
export interface TokenClock {
  /** When the request started (same clock as `now`). */
  readonly startedAt: number;
  readonly firstTokenAt: number | undefined;
  readonly lastTokenAt: number | undefined;
}

/** Options of {@link Watchdog}. */
export interface WatchdogOptions {
  /** Where the token timestamps are read: never copied, so a token costs the watchdog nothing. */
  clock: TokenClock;
  timeouts: Timeouts;
  now: () => number;
  /** Called at most once, when a timeout is exceeded; the watchdog does nothing more after it. */
  fire: (kind: TimeoutKind, ms: number) => void;
}

/**
 * The first-token, idle and total timeouts of one stream. One timer serves the first-token and idle
 * timeouts and is re-armed only when it fires: a token just writes a timestamp (in the clock), and
 * handing out an event just clears {@link Watchdog.waiting}, so the hot path never touches a timer.
 * A separate timer handles the total timeout.
 *
 * Idle time counts only while the consumer waits for input: a consumer that is slow between events
 * does not make the server look idle.
 *
 * @example
 * ```ts
 * const watchdog = new Watchdog({ clock: acc, timeouts, now, fire: (kind, ms) => abort(kind, ms) });
 * watchdog.start();
 * // per event: watchdog.waiting = false; before waiting for input: watchdog.markWaiting();
 * watchdog.stop();
 * ```
 */
export class Watchdog {
  /** When the consumer last came back for more and nothing was buffered. */
  resumed = 0;
  /** True while the consumer waits for input; only then does idle time count. */
  waiting = false;
  readonly #clock: TokenClock;
  readonly #timeouts: Timeouts;
  readonly #now: () => number;
  readonly #fire: (kind: TimeoutKind, ms: number) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #totalTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: WatchdogOptions) {
    this.#clock = options.clock;
    this.#timeouts = options.timeouts;
    this.#now = options.now;
    this.#fire = options.fire;
  }

  /** Arms the timers; the consumer counts as waiting since the request started. Call once. */
  start(): void {
    this.resumed = this.#clock.startedAt;
    this.waiting = true;
    const { firstTokenMs, idleMs, totalMs } = this.#timeouts;
    if (firstTokenMs !== undefined || idleMs !== undefined) this.#check();
    if (totalMs !== undefined) {
      this.#totalTimer = setTimeout(() => !this.#stopped && this.#fire("total", totalMs), totalMs);
    }
  }

  /** The consumer waits for input from now on: idle time counts again. */
  markWaiting(): void {
    if (!this.waiting) {
      this.waiting = true;
      this.resumed = this.#now();
    }
  }

  /** Clears the timers; nothing fires after this. Safe to call twice, or before `start()`. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#totalTimer);
  }

  // One bound function for the life of the stream, not one per arming.
  readonly #check = (): void => {
    if (this.#stopped) return;
    const { firstTokenMs, idleMs } = this.#timeouts;
    const clock = this.#clock;
    const t = this.#now();
    if (clock.firstTokenAt === undefined) {
      if (firstTokenMs === undefined) {
        // Only the idle timeout is set: wait for the first token, then start watching gaps.
        this.#timer = setTimeout(this.#check, idleMs ?? 1000);
        return;
      }
      const left = clock.startedAt + firstTokenMs - t;
      if (left <= 0) {
        this.#fire("first-token", firstTokenMs);
        return;
      }
      // Wake up at least every idleMs, so idle watching starts soon after the first token.
      this.#timer = setTimeout(this.#check, Math.ceil(idleMs === undefined ? left : Math.min(left, idleMs)));
      return;
    }
    if (idleMs === undefined) return;
    if (!this.waiting) {
      this.#timer = setTimeout(this.#check, idleMs);
      return;
    }
    const anchor = Math.max(clock.lastTokenAt ?? clock.firstTokenAt, this.resumed);
    const left = anchor + idleMs - t;
    if (left <= 0) {
      this.#fire("idle", idleMs);
      return;
    }
    this.#timer = setTimeout(this.#check, Math.ceil(left));
  };
}
