import type { StreamEvent } from "../types/events.js";
import type { ChatResult } from "../types/result.js";

/** What `createChatStream` hands the stream: the event iterator and the result's settlement. */
export interface ChatStreamParts {
  /** The events; `return()` closes the request and settles the result as aborted. */
  iterator: AsyncIterator<StreamEvent>;
  result: Promise<ChatResult>;
  abort: (reason?: unknown) => void;
  /**
   * Fast lane, twin of `iterator` (what `forEach` runs): reads every event into a synchronous
   * listener, inside the read that carried it when the reader can `wait`; resolves after the last one.
   */
  run: (listener: (event: StreamEvent) => void) => Promise<void>;
}

/**
 * One streamed chat request. Iterate it for events (`for await`), await `stream.result` for the whole
 * result, or both. It is deliberately not a thenable: an `async` function can return it and the caller
 * still gets the stream, not its result. Breaking out of the loop, calling `abort()` or aborting the `signal` closes the connection;
 * the result then resolves with the partial text and `finishReason: "aborted"`. On failure the events
 * end with an `error` event and `result` rejects with the `LlmstreamError` (its `partial` holds the
 * text received).
 *
 * @example
 * ```ts
 * const stream = streamChat({ baseURL: "http://localhost:11434/v1", model: "llama3", messages });
 * for await (const event of stream) if (event.type === "text") process.stdout.write(event.text);
 * const { usage, metrics } = await stream.result;
 * ```
 */
export class ChatStream implements AsyncIterable<StreamEvent> {
  #parts: ChatStreamParts;
  #iterator: AsyncIterator<StreamEvent> | undefined;

  constructor(parts: ChatStreamParts) {
    this.#parts = parts;
    // The result is often never awaited (event-only consumers): never let it become an unhandled rejection.
    parts.result.catch(() => {});
  }

  /** The final result; starts reading the stream if nobody iterates it. */
  get result(): Promise<ChatResult> {
    if (this.#iterator === undefined) {
      // Nobody reads the events: reading them into nothing is what settles the result.
      this[Symbol.asyncIterator]();
      void this.#parts.run(() => {});
    }
    return this.#parts.result;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.#iterator !== undefined) {
      throw new TypeError(
        "This chat stream is already being read: iterate it once (or call forEach once), and await .result for the whole result",
      );
    }
    const iterator = this.#parts.iterator;
    this.#iterator = iterator;
    return iterator;
  }

  /**
   * Reads the stream, calling `listener` synchronously with each event the moment it is decoded: with
   * the Node transport that is inside the network read that carried it, before any promise settles,
   * so it is the lowest-latency way to consume a stream (`for await` resumes only after Node has
   * finished the read, which costs tens of µs per event on a cold CPU). Events and their order are
   * the same as with `for await`. Resolves with the result like `result` (and rejects with
   * its error, after the `error` event reached the listener). If `listener` throws, the request is
   * closed, the result settles as aborted, and the promise rejects with what it threw.
   *
   * @example
   * ```ts
   * const { usage } = await streamChat({ baseURL, model, messages }).forEach((event) => {
   *   if (event.type === "text") process.stdout.write(event.text);
   * });
   * ```
   */
  async forEach(listener: (event: StreamEvent) => void): Promise<ChatResult> {
    // Claims the stream like iterating does, so the two can never both read it.
    this[Symbol.asyncIterator]();
    await this.#parts.run(listener);
    return this.#parts.result;
  }

  /** Aborts the request: the connection is closed and the result resolves with `finishReason: "aborted"`. */
  abort(reason?: unknown): void {
    this.#parts.abort(reason);
  }

  /** Only the answer text, as it arrives. Throws the stream's error, if any, after the text received. */
  get textStream(): AsyncIterable<string> {
    return {
      [Symbol.asyncIterator]: () => {
        const events = this[Symbol.asyncIterator]();
        return {
          next: async (): Promise<IteratorResult<string>> => {
            for (;;) {
              const step = await events.next();
              if (step.done === true) return { done: true, value: undefined };
              const event = step.value;
              if (event.type === "text") return { done: false, value: event.text };
              if (event.type === "error") throw event.error;
            }
          },
          return: async (): Promise<IteratorResult<string>> => {
            await events.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  /** The events as a Web `ReadableStream`; cancelling it aborts the request. */
  toReadableStream(): ReadableStream<StreamEvent> {
    const events = this[Symbol.asyncIterator]();
    return new ReadableStream<StreamEvent>({
      async pull(controller) {
        const step = await events.next();
        if (step.done === true) controller.close();
        else controller.enqueue(step.value);
      },
      async cancel() {
        await events.return?.();
      },
    });
  }
}
