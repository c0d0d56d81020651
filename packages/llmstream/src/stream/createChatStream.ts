import type { LlmstreamError } from "../errors/LlmstreamError.js";
import type { StreamEvent } from "../types/events.js";
import type { FinishInfo, RetryOptions, Timeouts } from "../types/options.js";
import type { ChatResult } from "../types/result.js";
import { ChatStream } from "./ChatStream.js";
import type { DeltaReader, DeltaSource } from "./DeltaSource.js";
import { ResponseAccumulator } from "./ResponseAccumulator.js";
import { RetryLoop } from "./RetryLoop.js";
import type { ThinkTagMode } from "./ThinkTagSplitter.js";
import { timeoutError } from "./timeoutError.js";
import {
  callerAbortError,
  consumerStoppedError,
  failureEvent,
  toLlmstreamError,
  truncatedError,
} from "./toLlmstreamError.js";
import { Watchdog } from "./Watchdog.js";

/** Options of {@link createChatStream}. */
export interface CreateChatStreamOptions {
  source: DeltaSource;
  request: FinishInfo["request"];
  signal?: AbortSignal;
  timeouts?: Timeouts;
  retry?: RetryOptions | number;
  onFinish?: (info: FinishInfo) => void;
  /** Inline `<think>` handling, or `false` to leave content untouched. @defaultValue "auto" */
  thinkTags?: ThinkTagMode | false;
  /** Injected clock and randomness for deterministic tests. */
  _internal?: { now?: () => number; random?: () => number };
}

/**
 * Runs a {@link DeltaSource} as a {@link ChatStream}: events, the result, metrics, the three
 * timeouts, retries before the first token, abort, and the `onFinish` hook. Both the HTTP client and
 * the embedded engine are built on it, so their events and results are the same.
 *
 * This is the state machine; the timeouts are the {@link Watchdog}'s, the attempts and the pauses
 * between them the {@link RetryLoop}'s, and what a failure becomes is `toLlmstreamError.ts`'s.
 */
export function createChatStream(options: CreateChatStreamOptions): ChatStream {
  const now = options._internal?.now ?? (() => performance.now());
  const retries = new RetryLoop(options.retry, options._internal?.random);
  const { url } = options.request;
  const controller = new AbortController();
  let resolveResult!: (result: ChatResult) => void;
  let rejectResult!: (error: LlmstreamError) => void;
  const result = new Promise<ChatResult>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  let settled = false;

  const abort = (reason?: unknown) => {
    if (controller.signal.aborted) return;
    controller.abort(callerAbortError(reason, url));
  };

  const settle = (value: ChatResult, error?: LlmstreamError) => {
    if (settled) return;
    settled = true;
    if (error !== undefined && error.code !== "aborted") rejectResult(error);
    else resolveResult(value);
    if (options.onFinish !== undefined) {
      try {
        options.onFinish({
          result: value,
          ...(error === undefined ? {} : { error }),
          request: options.request,
        });
      } catch {
        // A logging hook must never break the stream it observes.
      }
    }
  };

  const promptChars = options.request.messages.reduce(
    (sum, m) => sum + (typeof m.content === "string" ? m.content.length : 0),
    0,
  );
  const acc = new ResponseAccumulator({
    now,
    thinkTags: options.thinkTags ?? "auto",
    promptChars,
    model: options.request.model,
  });
  const userSignal = options.signal;
  const onUserAbort = () => abort(userSignal?.reason);
  const onResponse = () => {
    acc.responseHeadersAt ??= now();
  };
  const watchdog = new Watchdog({
    clock: acc,
    timeouts: options.timeouts ?? {},
    now,
    fire: (kind, ms) => controller.abort(timeoutError(kind, ms, url)),
  });
  let reader: DeltaReader | undefined;
  let phase: "new" | "streaming" | "done" = "new";
  const ended = () => phase === "done";
  /** What `decode()` threw on the fast path, for the slow path to handle. */
  let failure: unknown;
  let inSlowPath = false;
  let slowStep: Promise<IteratorResult<StreamEvent>> | undefined;

  const begin = () => {
    phase = "streaming";
    if (userSignal?.aborted) onUserAbort();
    else userSignal?.addEventListener("abort", onUserAbort, { once: true });
    watchdog.start();
  };

  /** Ends the stream: no more input, the result settled; queued events are still handed out. */
  const finish = (value: ChatResult, error?: LlmstreamError) => {
    phase = "done";
    watchdog.stop();
    userSignal?.removeEventListener("abort", onUserAbort);
    reader?.close();
    reader = undefined;
    settle(value, error);
  };

  const take = (): StreamEvent | undefined => acc.queue.shift();

  const handOut = (event: StreamEvent): IteratorResult<StreamEvent> => {
    watchdog.waiting = false;
    return { done: false, value: event };
  };

  /** Everything that may wait: opening, retries, reading more input, the end of the stream, errors. */
  async function slow(): Promise<IteratorResult<StreamEvent>> {
    inSlowPath = true;
    try {
      if (phase === "new") begin();
      for (;;) {
        const event = take();
        if (event !== undefined) return handOut(event);
        if (phase === "done") return DONE;
        try {
          if (controller.signal.aborted) throw controller.signal.reason;
          if (failure !== undefined) {
            const thrown = failure;
            failure = undefined;
            throw thrown;
          }
          if (reader === undefined) {
            const attempt = retries.next();
            acc.attempts = attempt;
            reader = toReader(options.source({ sink: acc, signal: controller.signal, attempt, onResponse }));
            continue;
          }
          if (reader.decode()) continue;
          watchdog.markWaiting();
          // Deltas a source pushes while filling are stamped as they come; what decode() reads later
          // is stamped with the moment this input arrived.
          acc.arrivedAt = undefined;
          const more = await reader.fill();
          acc.arrivedAt = now();
          if (controller.signal.aborted) throw controller.signal.reason;
          if (more) continue;
          if (!acc.complete) throw truncatedError(url);
          // Settled before the last events are handed out: a consumer that breaks on `done` must not
          // turn a finished answer into an aborted one.
          finish(acc.finishEvents());
        } catch (thrown) {
          // return() may have ended the stream while this step waited.
          if (ended()) continue;
          const error = toLlmstreamError(controller.signal.aborted ? controller.signal.reason : thrown, url);
          reader?.close();
          reader = undefined;
          if (error.code === "aborted") {
            finish(acc.finishEvents("aborted"), error);
            continue;
          }
          const pause = retries.pauseAfter(error, acc.hasToken, controller.signal);
          if (pause !== undefined) {
            await pause;
            // If the wait was aborted, the next attempt sees it at once and finishes as aborted.
            acc.resetForRetry();
            continue;
          }
          acc.flush();
          const partial = acc.result("error");
          const event = failureEvent(error, partial);
          finish(partial, error);
          acc.queue.push(event);
        }
      }
    } finally {
      inSlowPath = false;
      slowStep = undefined;
    }
  }

  /**
   * An event from what has already arrived, decoded now, or undefined: synchronous, no promise. Takes
   * in further arrived input (`pull`) as long as the reader offers it.
   */
  const decodeReady = (): IteratorResult<StreamEvent> | undefined => {
    const event = take();
    if (event !== undefined) return handOut(event);
    if (reader !== undefined && failure === undefined && !controller.signal.aborted) {
      try {
        for (;;) {
          while (reader.decode()) {
            const decoded = take();
            if (decoded !== undefined) return handOut(decoded);
          }
          if (reader.pull?.() !== true) break;
          acc.arrivedAt = now();
        }
      } catch (error) {
        failure = error;
      }
    }
    if (phase === "done") return DONE;
    return undefined;
  };

  /** Runs `slow()` as the one step in progress. */
  const slowly = (): Promise<IteratorResult<StreamEvent>> => {
    const step = slow();
    if (inSlowPath) slowStep = step;
    return step;
  };

  /**
   * Asks the reader to call `onInput` from the transport's own data event once input, the end or an
   * error arrives. False when it cannot (no such reader, or the stream is ending): `slow()` waits then.
   */
  const waitForInput = (onInput: () => void): boolean => {
    if (reader?.wait === undefined || phase !== "streaming" || failure !== undefined) return false;
    if (controller.signal.aborted || !reader.wait(onInput)) return false;
    watchdog.markWaiting();
    return true;
  };

  /**
   * The next step, decoded inside the transport's data event that carried its input, and handed to
   * the consumer one microtask later. Undefined when the reader cannot wake us.
   */
  const woken = (): Promise<IteratorResult<StreamEvent>> | undefined => {
    let resolveStep!: (step: IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>>) => void;
    const wake = () => {
      const ready = decodeReady();
      if (ready !== undefined) {
        slowStep = undefined;
        resolveStep(ready);
      } else if (!waitForInput(wake)) {
        // The end, an error or an abort: the slow path knows what each means. (A partial line waits
        // for more input above.)
        slowStep = undefined;
        resolveStep(slowly());
      }
    };
    if (!waitForInput(wake)) return undefined;
    const step = new Promise<IteratorResult<StreamEvent>>((resolve) => {
      resolveStep = resolve;
    });
    slowStep = step;
    return step;
  };

  /**
   * Reads the whole stream into `listener`, synchronously: each event is handed over as soon as it is
   * decoded, which with a transport that can wake us is inside the network read that carried it, with
   * no promise in between. Resolves at the end of the events; rejects with what `listener` threw,
   * after closing the request.
   */
  const run = (listener: (event: StreamEvent) => void): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const deliver = (event: StreamEvent): boolean => {
        try {
          listener(event);
          return true;
        } catch (error) {
          reject(error);
          void iterator.return?.();
          return false;
        }
      };
      const pump = (): void => {
        for (;;) {
          const ready = decodeReady();
          if (ready === undefined) break;
          if (ready.done === true) {
            resolve();
            return;
          }
          if (!deliver(ready.value)) return;
        }
        if (waitForInput(pump)) return;
        slowly().then((step) => {
          if (step.done === true) resolve();
          else if (deliver(step.value)) pump();
        }, reject);
      };
      pump();
    });

  const iterator: AsyncIterator<StreamEvent> = {
    next() {
      // One step at a time: a caller that does not wait for the previous step queues behind it.
      if (slowStep !== undefined) return slowStep.then(() => iterator.next());
      // The fast path: an event already decoded, or decoded now from input already arrived. No
      // await, no generator: one resolved promise per event.
      const ready = decodeReady();
      if (ready !== undefined) return Promise.resolve(ready);
      return woken() ?? slowly();
    },
    async return() {
      if (phase !== "done") {
        // The consumer stopped reading (break / return()): close the request, keep what arrived.
        if (phase === "new") begin();
        const reason = consumerStoppedError(url);
        controller.abort(reason);
        acc.flush();
        finish(acc.result("aborted"), reason);
      }
      acc.queue.clear();
      return DONE;
    },
  };

  return new ChatStream({ iterator, result, abort, run });
}

const DONE: IteratorResult<StreamEvent> = { done: true, value: undefined };

/** Runs a step-wise source (an async iterable) as a reader whose every `fill()` is one step. */
function toReader(source: DeltaReader | AsyncIterable<unknown>): DeltaReader {
  if (typeof (source as DeltaReader).decode === "function") return source as DeltaReader;
  const steps = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let done = false;
  return {
    decode: () => false,
    async fill() {
      if (done) return false;
      const step = await steps.next();
      if (step.done === true) done = true;
      return !done;
    },
    close() {
      if (done) return;
      done = true;
      steps.return?.().catch(() => {});
    },
  };
}
