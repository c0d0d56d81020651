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
import { ChatStream } from "./ChatStream.js";
import type { DeltaSource } from "./DeltaSource.js";
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

  // Yields batches (every event decoded from one network read): one generator resumption per read
  // instead of per event; ChatStream hands the events out one by one.
  async function* start(): AsyncGenerator<StreamEvent[], void, undefined> {
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
    if (userSignal?.aborted) onUserAbort();
    else userSignal?.addEventListener("abort", onUserAbort, { once: true });
    const watchdog = startWatchdog(acc, timeouts, now, (kind, ms) =>
      controller.abort(timeoutError(kind, ms, url)),
    );

    try {
      for (let attempt = 1; ; attempt++) {
        acc.attempts = attempt;
        try {
          if (controller.signal.aborted) throw controller.signal.reason;
          const steps = options.source({
            sink: acc,
            signal: controller.signal,
            attempt,
            onResponse: () => {
              acc.responseHeadersAt ??= now();
            },
          });
          for await (const _ of steps) {
            if (controller.signal.aborted) throw controller.signal.reason;
            if (acc.queue.length > 0) {
              const queued = acc.queue;
              acc.queue = [];
              watchdog.consumerBusy = true;
              yield queued;
              watchdog.consumerBusy = false;
              watchdog.resumed = now();
            }
          }
          if (controller.signal.aborted) throw controller.signal.reason;
          if (!acc.complete) {
            throw new TruncatedError(
              `The stream from ${url} ended before the server said it was finished (no finish reason, no end marker); the text received is kept`,
              { url },
            );
          }
          // Settled before the last events are handed out: a consumer that breaks on `done` must not
          // turn a finished answer into an aborted one.
          watchdog.stop();
          settle(acc.finishEvents());
          yield* drain(acc);
          return;
        } catch (thrown) {
          const error = toLlmstreamError(controller.signal.aborted ? controller.signal.reason : thrown, url);
          if (error.code === "aborted") {
            watchdog.stop();
            settle(acc.finishEvents("aborted"), error);
            yield* drain(acc);
            return;
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
          watchdog.stop();
          acc.flush();
          const partial = acc.result("error");
          error.partial = partial;
          settle(partial, error);
          const event: StreamEvent = { type: "error", code: error.code, message: error.message, error };
          if (error.status !== undefined) event.status = error.status;
          acc.queue.push(event);
          yield* drain(acc);
          return;
        }
      }
    } finally {
      watchdog.stop();
      userSignal?.removeEventListener("abort", onUserAbort);
      if (!settled) {
        // The consumer stopped reading (break / return()): close the request, keep what arrived.
        const reason = new AbortedError("The consumer stopped reading the stream", { url });
        controller.abort(reason);
        acc.flush();
        settle(acc.result("aborted"), reason);
      }
    }
  }

  return new ChatStream({ start, result, abort });
}

function* drain(acc: ResponseAccumulator): Generator<StreamEvent[]> {
  const queued = acc.queue;
  acc.queue = [];
  if (queued.length > 0) yield queued;
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
  /** When the consumer last came back for more; idle time while it is busy does not count. */
  resumed: number;
  /** True while events are being handed to the consumer. */
  consumerBusy: boolean;
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
    consumerBusy: false,
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
    if (watchdog.consumerBusy) {
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

/** Waits `ms`, or less if the signal aborts (then it resolves; the caller checks the signal). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
