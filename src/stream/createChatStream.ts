import { AbortedError } from "../errors/AbortedError.js";
import { ConnectionError } from "../errors/ConnectionError.js";
import { HttpError } from "../errors/HttpError.js";
import { isLlmstreamError, type LlmstreamError } from "../errors/LlmstreamError.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import type { TimeoutKind } from "../errors/TimeoutError.js";
import { TruncatedError } from "../errors/TruncatedError.js";
import type { StreamEvent } from "../types/events.js";
import type { FinishInfo, RetryOptions, Timeouts } from "../types/options.js";
import type { ChatResult } from "../types/result.js";
import { sleep } from "../utils/sleep.js";
import { ChatStream } from "./ChatStream.js";
import type { DeltaReader, DeltaSource } from "./DeltaSource.js";
import { ResponseAccumulator } from "./ResponseAccumulator.js";
import { resolveRetryPolicy, retryDelay } from "./retryDelay.js";
import type { ThinkTagMode } from "./ThinkTagSplitter.js";
import { timeoutError } from "./timeoutError.js";

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

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * Runs a {@link DeltaSource} as a {@link ChatStream}: events, the result, metrics, the three
 * timeouts, retries before the first token, abort, and the `onFinish` hook. Both the HTTP client and
 * the embedded engine are built on it, so their events and results are the same.
 */
export function createChatStream(options: CreateChatStreamOptions): ChatStream {
  const now = options._internal?.now ?? (() => performance.now());
  const random = options._internal?.random ?? Math.random;
  const policy = resolveRetryPolicy(options.retry);
  const timeouts = options.timeouts ?? {};
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
    controller.abort(
      isLlmstreamError(reason)
        ? reason
        : new AbortedError("The request was aborted by the caller", { url, cause: reason }),
    );
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
  let watchdog: Watchdog | undefined;
  let reader: DeltaReader | undefined;
  let attempt = 0;
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
    watchdog = startWatchdog(acc, timeouts, now, (kind, ms) => controller.abort(timeoutError(kind, ms, url)));
  };

  /** Ends the stream: no more input, the result settled; queued events are still handed out. */
  const finish = (value: ChatResult, error?: LlmstreamError) => {
    phase = "done";
    watchdog?.stop();
    userSignal?.removeEventListener("abort", onUserAbort);
    reader?.close();
    reader = undefined;
    settle(value, error);
  };

  const take = (): StreamEvent | undefined => acc.queue.shift();

  /** The consumer waits for input from now on: idle time counts again (see the watchdog). */
  const markWaiting = () => {
    const dog = watchdog as Watchdog;
    if (!dog.waiting) {
      dog.waiting = true;
      dog.resumed = now();
    }
  };

  const handOut = (event: StreamEvent): IteratorResult<StreamEvent> => {
    if (watchdog !== undefined) watchdog.waiting = false;
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
            attempt++;
            acc.attempts = attempt;
            reader = toReader(options.source({ sink: acc, signal: controller.signal, attempt, onResponse }));
            continue;
          }
          if (reader.decode()) continue;
          markWaiting();
          // Deltas a source pushes while filling are stamped as they come; what decode() reads later
          // is stamped with the moment this input arrived.
          acc.arrivedAt = undefined;
          const more = await reader.fill();
          acc.arrivedAt = now();
          if (controller.signal.aborted) throw controller.signal.reason;
          if (more) continue;
          if (!acc.complete) {
            throw new TruncatedError(
              `The stream from ${url} ended before the server said it was finished (no finish reason, no end marker); the text received is kept`,
              { url },
            );
          }
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
          if (!acc.hasToken && attempt <= policy.retries && isRetryable(error)) {
            const delay = retryDelay(
              attempt,
              policy,
              error instanceof HttpError ? error.retryAfterMs : undefined,
              random,
            );
            if (delay !== undefined) {
              await sleep(delay, controller.signal);
              // If the wait was aborted, the next attempt sees it at once and finishes as aborted.
              acc.resetForRetry();
              continue;
            }
          }
          acc.flush();
          const partial = acc.result("error");
          error.partial = partial;
          finish(partial, error);
          const event: StreamEvent = { type: "error", code: error.code, message: error.message, error };
          if (error.status !== undefined) event.status = error.status;
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
    markWaiting();
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
        const reason = new AbortedError("The consumer stopped reading the stream", { url });
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

function isRetryable(error: LlmstreamError): boolean {
  if (error.code === "connection") return true;
  if (error.code === "http") return error.status !== undefined && RETRYABLE_STATUS.has(error.status);
  return false;
}

/** Turns anything thrown into an `LlmstreamError`; a bare TypeError never escapes. */
function toLlmstreamError(thrown: unknown, url: string): LlmstreamError {
  if (isLlmstreamError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new ConnectionError(`Connection to ${url} failed (${code}): ${message}`, { url, cause: thrown });
  }
  return new ProtocolError("invalid-chunk", `Could not read the response from ${url}: ${message}`, {
    url,
    cause: thrown,
  });
}

interface Watchdog {
  /** When the consumer last came back for more and nothing was buffered. */
  resumed: number;
  /** True while the consumer waits for input; only then does idle time count. */
  waiting: boolean;
  stop(): void;
}

/**
 * One timer for the first-token and idle timeouts, re-armed only when it fires: a token just writes a
 * timestamp, so the hot path never touches a timer. A separate timer handles the total timeout.
 */
function startWatchdog(
  acc: ResponseAccumulator,
  timeouts: Timeouts,
  now: () => number,
  fire: (kind: TimeoutKind, ms: number) => void,
): Watchdog {
  const { firstTokenMs, idleMs, totalMs } = timeouts;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let totalTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const watchdog: Watchdog = {
    resumed: acc.startedAt,
    waiting: true,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(totalTimer);
    },
  };
  const check = () => {
    if (stopped) return;
    const t = now();
    if (acc.firstTokenAt === undefined) {
      if (firstTokenMs === undefined) {
        // Only the idle timeout is set: wait for the first token, then start watching gaps.
        timer = setTimeout(check, idleMs ?? 1000);
        return;
      }
      const left = acc.startedAt + firstTokenMs - t;
      if (left <= 0) return fire("first-token", firstTokenMs);
      // Wake up at least every idleMs, so idle watching starts soon after the first token.
      timer = setTimeout(check, Math.ceil(idleMs === undefined ? left : Math.min(left, idleMs)));
      return;
    }
    if (idleMs === undefined) return;
    if (!watchdog.waiting) {
      timer = setTimeout(check, idleMs);
      return;
    }
    const anchor = Math.max(acc.lastTokenAt ?? acc.firstTokenAt, watchdog.resumed);
    const left = anchor + idleMs - t;
    if (left <= 0) return fire("idle", idleMs);
    timer = setTimeout(check, Math.ceil(left));
  };
  if (firstTokenMs !== undefined || idleMs !== undefined) check();
  if (totalMs !== undefined) totalTimer = setTimeout(() => !stopped && fire("total", totalMs), totalMs);
  return watchdog;
}
