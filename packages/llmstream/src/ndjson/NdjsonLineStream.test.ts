import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { NdjsonLineStream } from "./NdjsonLineStream.js";

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

describe("NdjsonLineStream", () => {
  it("turns decoded text, split inside a multi-byte character, into lines, the last one without newline", async () => {
    const encoded = [...new TextEncoder().encode('{"t":"ж😀"}\r\n\n{"done":true}')];
    const stream = bytes([encoded.slice(0, 9), encoded.slice(9)])
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new NdjsonLineStream());
    expect(await collect(stream)).toEqual(['{"t":"ж😀"}', '{"done":true}']);
  });

  it("errors the stream with a ProtocolError when a line exceeds maxLineLength", async () => {
    const stream = bytes([[...new TextEncoder().encode("0123456789\n")]])
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new NdjsonLineStream({ maxLineLength: 8 }));
    await expect(collect(stream)).rejects.toBeInstanceOf(ProtocolError);
  });
});
