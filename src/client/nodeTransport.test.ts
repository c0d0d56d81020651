import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "../mock/index.js";
import { streamChat } from "./streamChat.js";

let server: MockServer;
beforeAll(async () => {
  server = await createMockServer();
});
afterAll(() => server.close());

describe("node transport", () => {
  it("pauses the socket while the consumer is busy, then delivers every chunk", async () => {
    const chunks = 200_000; // ~30 MB of SSE
    const index = server.requests.length;
    const stream = streamChat({
      baseURL: `${server.url}/s/flood/v1`,
      model: "m",
      messages: [],
      headers: { "x-mock-chunks": String(chunks) },
    });
    let count = 0;
    let paused = false;
    let writtenWhilePaused = 0;
    for await (const event of stream) {
      if (event.type !== "text") continue;
      count++;
      if (!paused) {
        paused = true;
        await new Promise((resolve) => setTimeout(resolve, 400));
        writtenWhilePaused = server.requests[index]?.bytesWritten ?? 0;
      }
    }
    const result = await stream;
    expect(count).toBe(chunks);
    expect(result.text.length).toBe(chunks * 4);
    // Kernel and stream buffers hold a few MB at most: the server could not push the whole body.
    expect(writtenWhilePaused).toBeLessThan(15 * 1024 * 1024);
  });
});
