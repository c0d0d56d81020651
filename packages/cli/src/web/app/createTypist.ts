import type { StreamEvent } from "llmstream";
import { createPacer } from "llmstream/chunking";

/** Where a typist writes: called at most once per animation frame. */
export interface TypistTarget {
  text(text: string): void;
  reasoning(text: string): void;
  /** After the frame's text was written. */
  frame(): void;
}

/** Paces text events to animation frames. */
export interface Typist {
  push(event: StreamEvent): void;
  /** The stream ended: resolves once everything pushed is shown (at most the lag bound later). */
  end(): Promise<void>;
  /** Shows everything pushed at once (Stop, or a hidden tab). */
  flush(): void;
}

/** Options of {@link createTypist}. */
export interface TypistOptions {
  /** No typing effect: each frame shows all that arrived (`prefers-reduced-motion`). */
  reducedMotion: boolean;
  /** @defaultValue 100 — with a frame (~16 ms) on top, the page stays within ~150 ms of arrival. */
  maxLagMs?: number;
}

/**
 * Drives the answer from the stream to the page with `src/chunking`'s pacer: events are pushed the
 * moment they are decoded, and one `requestAnimationFrame` callback takes what is due and writes it,
 * so however many tokens arrive, the page renders once per frame. Without animation frames (a hidden
 * tab) a 50 ms timer takes their place, so the answer never waits for the tab to be shown.
 */
export function createTypist(target: TypistTarget, options: TypistOptions): Typist {
  let pacer = options.reducedMotion
    ? undefined
    : createPacer({ by: "grapheme", maxLagMs: options.maxLagMs ?? 100, minIntervalMs: 16 });
  let direct: StreamEvent[] = [];
  let scheduled = false;
  let ended = false;
  let onDrained: (() => void) | undefined;

  const write = (events: StreamEvent[]) => {
    const text: string[] = [];
    const reasoning: string[] = [];
    for (const event of events) {
      if (event.type === "text") text.push(event.text);
      else if (event.type === "reasoning") reasoning.push(event.text);
    }
    if (reasoning.length > 0) target.reasoning(reasoning.join(""));
    if (text.length > 0) target.text(text.join(""));
    target.frame();
  };

  const frame = () => {
    scheduled = false;
    if (pacer === undefined) {
      const events = direct;
      direct = [];
      write(events);
    } else {
      write(pacer.take(performance.now()));
    }
    const next = pacer?.nextAt();
    if (next !== undefined || direct.length > 0) schedule();
    else if (ended) onDrained?.();
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (document.hidden) setTimeout(frame, 50);
    else requestAnimationFrame(frame);
  };

  return {
    push(event) {
      if (event.type !== "text" && event.type !== "reasoning") return;
      if (pacer === undefined) direct.push(event);
      else pacer.push(event, performance.now());
      schedule();
    },
    end() {
      ended = true;
      pacer?.end(performance.now());
      return new Promise((resolve) => {
        onDrained = resolve;
        if (!scheduled) frame();
      });
    },
    flush() {
      if (pacer !== undefined) {
        pacer.end(Number.POSITIVE_INFINITY);
        write(pacer.take(Number.POSITIVE_INFINITY));
        // From here on, whatever still arrives is shown at once.
        pacer = undefined;
      }
      const events = direct;
      direct = [];
      write(events);
    },
  };
}
