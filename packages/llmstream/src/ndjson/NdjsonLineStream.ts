import { createNdjsonParser, type NdjsonParserOptions } from "./createNdjsonParser.js";

/**
 * A `TransformStream` from decoded text to the non-blank lines of an NDJSON body, wrapping
 * {@link createNdjsonParser}. It takes strings only: put a `TextDecoderStream` in front of a byte
 * stream. Lines come out unparsed; a line over `maxLineLength` errors the stream with a `ProtocolError`.
 *
 * @example
 * ```ts
 * import { NdjsonLineStream } from "llmstream/ndjson";
 *
 * // A fetch() response's body is read the same way (Ollama's /api/chat streams NDJSON).
 * const body = new Response('{"message":{"content":"Hel"}}\n{"message":{"content":"lo"}}\n').body!;
 * const lines = body.pipeThrough(new TextDecoderStream()).pipeThrough(new NdjsonLineStream());
 * for await (const line of lines) console.log(JSON.parse(line).message.content);
 * // → Hel
 * // → lo
 * ```
 */
export class NdjsonLineStream extends TransformStream<string, string> {
  constructor(options: Omit<NdjsonParserOptions, "onLine"> = {}) {
    let controller: TransformStreamDefaultController<string> | undefined;
    const parser = createNdjsonParser({ ...options, onLine: (line) => controller?.enqueue(line) });
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
