/** Where an {@link SseBody} writes once attached: the node:http response, or a web stream. */
export interface SseSink {
  write(text: string): void;
  end(): void;
}

/**
 * The body of a streamed response, written to by the generation as events are decoded. Until a
 * sink is attached, text is kept (bounded by the few events that can arrive before the server hands
 * the response out); after that each write goes straight to the sink, so the node:http adapter
 * writes every event to the socket inside the read that decoded it.
 */
export class SseBody {
  #pending: string[] = [];
  #sink: SseSink | undefined;
  #ended = false;
  /** When the last text was written (for `: ping` only when the stream is quiet). */
  lastWriteAt = 0;
  /** Called once when the reader goes away before the end. */
  onCancel: (() => void) | undefined;

  /** Text is waiting for a sink. */
  get hasPending(): boolean {
    return this.#pending.length > 0;
  }

  get ended(): boolean {
    return this.#ended;
  }

  write(text: string): void {
    if (text === "" || this.#ended) return;
    this.lastWriteAt = performance.now();
    if (this.#sink === undefined) this.#pending.push(text);
    else this.#sink.write(text);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink?.end();
  }

  /** Starts delivery; called once, by the adapter or the web stream. */
  attach(sink: SseSink): void {
    if (this.#sink !== undefined) throw new TypeError("This response body is already being read");
    this.#sink = sink;
    if (this.#pending.length > 0) sink.write(this.#pending.join(""));
    this.#pending = [];
    if (this.#ended) sink.end();
  }

  /** The reader went away: stop the generation. */
  cancel(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onCancel?.();
  }
}

/** Streamed responses and their bodies, so the node:http adapter can write without a web stream. */
export const sseBodies = new WeakMap<Response, SseBody>();

/** The headers of every event stream (Nagle off and no compression are the adapter's part). */
export const sseHeaders: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/**
 * A `text/event-stream` Response over `body`. A web-standard consumer reads it as a byte stream;
 * the node:http adapter finds the body in {@link sseBodies} and writes each event itself.
 */
export function sseResponse(body: SseBody, headers: Record<string, string> = {}): Response {
  const encoder = new TextEncoder();
  let attached = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        // Only the first pull starts delivery; later writes arrive by themselves.
        if (attached) return;
        attached = true;
        body.attach({
          write: (text) => controller.enqueue(encoder.encode(text)),
          end: () => controller.close(),
        });
      },
      cancel() {
        body.cancel();
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(stream, { status: 200, headers: { ...sseHeaders, ...headers } });
  sseBodies.set(response, body);
  return response;
}
