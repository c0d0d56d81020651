import type { Transport } from "llmstream";
import { describe, expect, it } from "vitest";
import { watchEndMarker } from "./watchEndMarker.js";

const fakeTransport =
  (chunks: (string | Uint8Array)[]): Transport =>
  async () => ({
    status: 200,
    headers: {},
    close() {},
    body: {
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    },
  });

async function drain(transport: Transport): Promise<void> {
  const response = await transport({
    url: "http://x",
    method: "POST",
    headers: {},
    signal: new AbortController().signal,
  });
  for await (const _ of response.body) {
    // read to the end
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("watchEndMarker", () => {
  it("sees data: [DONE] at the end however the bytes are split", async () => {
    const whole = 'data: {"choices":[]}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < whole.length; cut++) {
      const watch = watchEndMarker(fakeTransport([bytes(whole.slice(0, cut)), bytes(whole.slice(cut))]));
      await drain(watch.transport);
      expect(watch.seen()).toBe(true);
    }
  });

  it("does not see it when the stream stopped after the finish chunk", async () => {
    const watch = watchEndMarker(fakeTransport([bytes('data: {"choices":[{"finish_reason":"stop"}]}\n\n')]));
    await drain(watch.transport);
    expect(watch.seen()).toBe(false);
  });

  it("reads string bodies too", async () => {
    const watch = watchEndMarker(fakeTransport(["data: x\n\n", "data: [DONE]\n\n"]));
    await drain(watch.transport);
    expect(watch.seen()).toBe(true);
  });
});
