import type { StreamEvent } from "../types/events.js";
import { createPacer, type PacerOptions } from "./createPacer.js";
import { raceTimeout, systemTimers, type Timers } from "./timers.js";

/** Options of {@link smoothEvents} and {@link smoothEventsIterable}. */
export interface SmoothOptions extends PacerOptions {
  /**
   * `false` passes events through with no delay at all (the CLI passes `false` when stdout is not a
   * terminal). @defaultValue true
   */
  enabled?: boolean;
  /** For tests: a fake clock and timers. */
  _internal?: Partial<Timers>;
}

/**
 * A `TransformStream` that types `text` and `reasoning` out grapheme by grapheme (or word by word) at
 * a steady rate that follows the stream, never lagging more than `maxLagMs` behind what has arrived
 * (up to timer lateness). Other events keep their place; `done` comes after all text.
 *
 * Unlike a fixed delay per chunk (the AI SDK's `smoothStream`), which falls further behind the
 * faster the model is, the pace here speeds up with the backlog.
 *
 * @example
 * ```ts
 * const paced = streamChat(options).toReadableStream().pipeThrough(smoothEvents({ enabled: process.stdout.isTTY }));
 * ```
 */
export function smoothEvents(options: SmoothOptions = {}): TransformStream<StreamEvent, StreamEvent> {
  if (options.enabled === false) return new TransformStream<StreamEvent, StreamEvent>();
  const timers: Timers = { ...systemTimers, ...options._internal };
  const pacer = createPacer(options);
  let handle: unknown;
  let scheduledAt: number | undefined;
  let drained: (() => void) | undefined;
  let closed = false;

  const pump = (controller: TransformStreamDefaultController<StreamEvent>) => {
    if (closed) return;
    for (const event of pacer.take(timers.now())) controller.enqueue(event);
    const at = pacer.nextAt();
    if (at === undefined) {
      drained?.();
      return;
    }
    if (scheduledAt !== undefined && scheduledAt <= at) return;
    if (scheduledAt !== undefined) timers.clearTimeout(handle);
    scheduledAt = at;
    handle = timers.setTimeout(
      () => {
        scheduledAt = undefined;
        try {
          pump(controller);
        } catch {
          // The reader cancelled: stop typing.
          closed = true;
        }
      },
      Math.max(0, at - timers.now()),
    );
  };

  return new TransformStream<StreamEvent, StreamEvent>({
    transform(event, controller) {
      pacer.push(event, timers.now());
      pump(controller);
    },
    flush(controller) {
      pacer.end(timers.now());
      return new Promise<void>((resolve) => {
        drained = resolve;
        pump(controller);
      });
    },
  });
}

/**
 * The async-iterable form of {@link smoothEvents}. Breaking out of the loop calls `return()` on the
 * source.
 *
 * @example
 * ```ts
 * for await (const event of smoothEventsIterable(chat, { maxLagMs: 150 })) render(event);
 * ```
 */
export async function* smoothEventsIterable(
  source: AsyncIterable<StreamEvent>,
  options: SmoothOptions = {},
): AsyncGenerator<StreamEvent, void, undefined> {
  if (options.enabled === false) {
    yield* source;
    return;
  }
  const timers: Timers = { ...systemTimers, ...options._internal };
  const pacer = createPacer(options);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StreamEvent>> | undefined;
  let ended = false;
  let finished = false;
  try {
    while (true) {
      yield* pacer.take(timers.now());
      const at = pacer.nextAt();
      if (ended) {
        if (at === undefined) break;
        await raceTimeout(new Promise<never>(() => {}), at - timers.now(), timers);
        continue;
      }
      pending ??= iterator.next();
      const result = at === undefined ? await pending : await raceTimeout(pending, at - timers.now(), timers);
      if (result === undefined) continue;
      pending = undefined;
      if (result.done === true) {
        ended = true;
        finished = true;
        pacer.end(timers.now());
      } else pacer.push(result.value, timers.now());
    }
  } finally {
    if (!finished) {
      const closing = iterator.return?.();
      if (pending === undefined) await closing;
      else closing?.catch(() => {});
    }
  }
}
