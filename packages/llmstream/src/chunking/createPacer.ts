import type { StreamEvent } from "../types/events.js";
import { createEventChunker } from "./createEventChunker.js";

/** Options of {@link createPacer} (and of `smoothEvents`). */
export interface PacerOptions {
  /** The unit of typing. @defaultValue `"grapheme"` */
  by?: "grapheme" | "word";
  /** The locale for `Intl.Segmenter`. */
  locale?: string;
  /**
   * The most the display may lag behind the text that has arrived, in milliseconds. When the backlog
   * would break it, bigger pieces go out at once.
   * @defaultValue 150
   */
  maxLagMs?: number;
  /** The shortest pause between two writes (a faster stream gets bigger pieces). @defaultValue 8 */
  minIntervalMs?: number;
  /** The longest pause between two units: the slowest "natural" typing. @defaultValue 40 */
  maxIntervalMs?: number;
}

/**
 * A synchronous, clock-free pacing core. The caller passes the time to every call, and calls `take`
 * again at `nextAt()`.
 */
export interface Pacer {
  /** Queues an event that arrived at `now`. */
  push(event: StreamEvent, now: number): void;
  /** The source has ended: everything held is queued to go out. */
  end(now: number): void;
  /** The events due at `now`, in order (consecutive pieces of one kind are joined). */
  take(now: number): StreamEvent[];
  /** When `take` should next be called; `undefined` when nothing is waiting. */
  nextAt(): number | undefined;
}

const isText = (event: StreamEvent) => event.type === "text" || event.type === "reasoning";

interface Queued {
  event: StreamEvent;
  arrival: number;
}

/**
 * Creates a {@link Pacer}. The rate adapts to the stream: the pause between units follows the
 * measured arrival rate (a moving average of milliseconds per unit, clamped to
 * `[minIntervalMs, maxIntervalMs]`), so a slow stream is typed evenly instead of in bursts; and each
 * step sends enough units to drain the backlog within half of `maxLagMs`, plus every unit whose
 * deadline (arrival + `maxLagMs`) would pass before the next step, so the lag bound holds however
 * fast the text arrives.
 */
export function createPacer(options: PacerOptions = {}): Pacer {
  const maxLagMs = options.maxLagMs ?? 150;
  const minIntervalMs = options.minIntervalMs ?? 8;
  const maxIntervalMs = Math.max(minIntervalMs, options.maxIntervalMs ?? 40);
  if (!(maxLagMs > 0)) throw new RangeError(`maxLagMs must be positive, got ${maxLagMs}`);
  const chunker = createEventChunker({
    by: options.by ?? "grapheme",
    ...(options.locale === undefined ? {} : { locale: options.locale }),
  });
  // A FIFO with a moving head: shift() on a long array would make a burst quadratic.
  let queue: Queued[] = [];
  let head = 0;
  let heldSince: number | undefined;
  let lastArrival: number | undefined;
  let msPerUnit: number | undefined;
  let nextEmitAt = Number.NEGATIVE_INFINITY;

  const interval = () => Math.min(maxIntervalMs, Math.max(minIntervalMs, msPerUnit ?? minIntervalMs));
  let textCount = 0;
  const enqueue = (events: StreamEvent[], arrival: number) => {
    for (const event of events) {
      if (isText(event)) textCount++;
      queue.push({ event, arrival });
    }
  };
  const releaseHeld = () => {
    if (heldSince === undefined) return;
    enqueue(chunker.flush(), heldSince);
    heldSince = undefined;
  };

  return {
    push(event, now) {
      const released = chunker.push(event);
      // Text released now may have arrived while it was held: date it from then, so its deadline holds.
      enqueue(released, heldSince ?? now);
      if (isText(event)) {
        const units = released.filter(isText).length || 1;
        if (lastArrival !== undefined) {
          const sample = (now - lastArrival) / units;
          msPerUnit = msPerUnit === undefined ? sample : 0.3 * sample + 0.7 * msPerUnit;
        }
        lastArrival = now;
      }
      heldSince = chunker.buffered === 0 ? undefined : (heldSince ?? now);
    },
    end() {
      releaseHeld();
    },
    take(now) {
      // Held text (a grapheme or word that may still grow) waits at most half the lag budget.
      if (heldSince !== undefined && now >= heldSince + maxLagMs / 2) releaseHeld();
      const out: StreamEvent[] = [];
      // Consecutive pieces of one kind become one event; parts are joined once, not concatenated.
      let run: { type: "text" | "reasoning"; parts: string[] } | undefined;
      const closeRun = () => {
        if (run !== undefined) out.push({ type: run.type, text: run.parts.join("") });
        run = undefined;
      };
      const emit = (event: StreamEvent) => {
        if (event.type !== "text" && event.type !== "reasoning") {
          closeRun();
          out.push(event);
          return;
        }
        textCount--;
        if (run?.type !== event.type) {
          closeRun();
          run = { type: event.type, parts: [] };
        }
        run.parts.push(event.text);
      };
      const passOthers = () => {
        while (head < queue.length && !isText(queue[head]!.event)) emit(queue[head++]!.event);
      };
      passOthers();
      if (head < queue.length && now >= nextEmitAt) {
        const step = interval();
        // Units are queued in arrival order, so the ones due before the next step are a prefix.
        let due = 0;
        for (let i = head; i < queue.length; i++) {
          const item = queue[i]!;
          if (item.arrival + maxLagMs > now + step) break;
          if (isText(item.event)) due++;
        }
        let count = Math.max(1, due, Math.ceil((textCount * step) / (maxLagMs / 2)));
        while (head < queue.length && count > 0) {
          const { event } = queue[head++]!;
          if (isText(event)) count--;
          emit(event);
        }
        passOthers();
        nextEmitAt = now + step;
      }
      closeRun();
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      return out;
    },
    nextAt() {
      if (head < queue.length) return isText(queue[head]!.event) ? nextEmitAt : Number.NEGATIVE_INFINITY;
      return heldSince === undefined ? undefined : heldSince + maxLagMs / 2;
    },
  };
}
