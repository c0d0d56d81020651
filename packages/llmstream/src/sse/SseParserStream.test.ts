import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import type { SseEvent } from "./createSseParser.js";
import { SseParserStream } from "./SseParserStream.js";

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const output: T[] = [];
  const reader = stream.getReader();
  for (let result = await reader.read(); !result.done; result = await reader.read())
    output.push(result.value);
  return output;
}

function bytes(parts: number[][]): ReadableStream<BufferSource> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(new Uint8Array(part));
      controller.close();
    },
  });
}

describe("SseParserStream", () => {
  it("turns decoded text, split inside a multi-byte character, into events", async () => {
    const encoded = [...new TextEncoder().encode("\uFEFFevent: e\ndata: 😀\r\n\r\ndata: last")];
    const stream = bytes([encoded.slice(0, 20), encoded.slice(20)])
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new SseParserStream());
    expect(await collect(stream)).toEqual<SseEvent[]>([
      { event: "e", data: "😀", id: undefined },
      { event: undefined, data: "last", id: undefined },
    ]);
  });

  it("passes retry and comment callbacks through", async () => {
    const retries: number[] = [];
    const comments: string[] = [];
    const stream = bytes([[...new TextEncoder().encode(": hi\nretry: 5\n\n")]])
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(
        new SseParserStream({ onRetry: (ms) => retries.push(ms), onComment: (text) => comments.push(text) }),
      );
    expect(await collect(stream)).toEqual([]);
    expect(retries).toEqual([5]);
    expect(comments).toEqual(["hi"]);
  });

  it("errors the stream with a ProtocolError when a line exceeds maxLineLength", async () => {
    const stream = bytes([[...new TextEncoder().encode("data: 0123456789\n\n")]])
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new SseParserStream({ maxLineLength: 8 }));
    await expect(collect(stream)).rejects.toBeInstanceOf(ProtocolError);
  });
});
