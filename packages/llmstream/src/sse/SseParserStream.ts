import { createSseParser, type SseEvent, type SseParserOptions } from "./createSseParser.js";

/**
 * A `TransformStream` from decoded text to server-sent events, wrapping {@link createSseParser}.
 * It takes strings only: put a `TextDecoderStream` in front of a byte stream. On close it dispatches a
 * last event that lacks its blank line (see `createSseParser`); a line over `maxLineLength` errors
 * the stream with a `ProtocolError`.
 *
 * @example
 * ```ts
 * import { SseParserStream } from "llmstream/sse";
 *
 * // A fetch() response's body is read the same way.
 * const body = new Response("event: delta\ndata: Hel\n\nevent: delta\ndata: lo\n\n").body!;
 * const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new SseParserStream());
 * for await (const event of events) console.log(event.event, event.data);
 * // → delta Hel
 * // → delta lo
 * ```
 */
export class SseParserStream extends TransformStream<string, SseEvent> {
  constructor(options: Omit<SseParserOptions, "onEvent"> = {}) {
    let controller: TransformStreamDefaultController<SseEvent> | undefined;
    const parser = createSseParser({ ...options, onEvent: (event) => controller?.enqueue(event) });
    super({
      start(streamController) {
        controller = streamController;
      },
      transform(chunk) {
        parser.feed(chunk);
      },
      flush() {
        parser.end();
      },
    });
  }
}
