import { raceTimeout, systemTimers, type Timers } from "./timers.js";

/** What the stream wrappers need from a chunker core. */
export interface ChunkerCore<I, O> {
  push(input: I): O[];
  flush(): O[];
  readonly buffered: number;
}

/** Options shared by the stream wrappers of the chunkers. */
export interface MaxDelayOptions {
  /**
   * The longest time text may be held back waiting for a boundary (a long word, a URL, a slow
   * stream); when it passes, everything held is released. Unset: text is held until a boundary or
   * the end of the stream.
   */
  maxDelayMs?: number;
  /** For tests: a fake clock and timers. */
  _internal?: Partial<Timers>;
}

export function timersFrom(options: MaxDelayOptions): Timers {
  return { ...systemTimers, ...options._internal };
}

/**
 * Wraps a chunker core as a `TransformStream`, with a timer that releases held text after
 * `maxDelayMs`.
 */
export function coreTransformStream<I, O>(
  core: ChunkerCore<I, O>,
  options: MaxDelayOptions,
): TransformStream<I, O> {
  const timers = timersFrom(options);
  const maxDelayMs = options.maxDelayMs;
  let handle: unknown;
  let armed = false;
  const disarm = () => {
    if (armed) timers.clearTimeout(handle);
    armed = false;
  };
  return new TransformStream<I, O>({
    transform(input, controller) {
      for (const output of core.push(input)) controller.enqueue(output);
      if (core.buffered === 0) disarm();
      else if (maxDelayMs !== undefined && !armed) {
        armed = true;
        handle = timers.setTimeout(() => {
          armed = false;
          try {
            for (const output of core.flush()) controller.enqueue(output);
          } catch {
            // The reader cancelled the stream: nothing left to deliver to.
          }
        }, maxDelayMs);
      }
    },
    flush(controller) {
      disarm();
      for (const output of core.flush()) controller.enqueue(output);
    },
  });
}

/**
 * Wraps a chunker core as an async generator over `source`. Breaking out of the loop calls `return()`
 * on the source (without waiting for it if a `next()` is still pending, which would wait for the
 * source's next item).
 */
export async function* coreIterable<I, O>(
  source: AsyncIterable<I> | Iterable<I>,
  core: ChunkerCore<I, O>,
  options: MaxDelayOptions,
): AsyncGenerator<O, void, undefined> {
  const timers = timersFrom(options);
  const maxDelayMs = options.maxDelayMs;
  const iterator = toAsyncIterator(source);
  let pending: Promise<IteratorResult<I>> | undefined;
  let finished = false;
  let heldSince: number | undefined;
  try {
    while (true) {
      pending ??= iterator.next();
      let result: IteratorResult<I> | undefined;
      if (maxDelayMs !== undefined && heldSince !== undefined) {
        result = await raceTimeout(pending, heldSince + maxDelayMs - timers.now(), timers);
        if (result === undefined) {
          heldSince = undefined;
          yield* core.flush();
          continue;
        }
      } else result = await pending;
      pending = undefined;
      if (result.done === true) {
        finished = true;
        break;
      }
      yield* core.push(result.value);
      heldSince = core.buffered === 0 ? undefined : (heldSince ?? timers.now());
    }
    yield* core.flush();
  } finally {
    if (!finished) {
      const closing = iterator.return?.();
      if (pending === undefined) await closing;
      else closing?.catch(() => {});
    }
  }
}

function toAsyncIterator<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const sync = source[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}
