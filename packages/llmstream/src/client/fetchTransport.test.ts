import { createMockServer, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlmstreamError } from "../errors/LlmstreamError.js";
import { createFetchTransport } from "./fetchTransport.js";
import { streamChat } from "./streamChat.js";

// The portable path browsers use: WHATWG fetch + Web Streams + TextDecoderStream.
let server: MockServer;
beforeAll(async () => {
  server = await createMockServer();
});
afterAll(() => server.close());

const transport = createFetchTransport();
const chat = (scenario: string, signal?: AbortSignal) =>
  streamChat({
    baseURL: `${server.url}/s/${scenario}/v1`,
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    retry: 0,
    transport,
    ...(signal === undefined ? {} : { signal }),
  });

describe("fetch transport", () => {
  it("streams the same answer, including bytes split inside characters", async () => {
    expect((await chat("ok").result).text).toBe(MOCK_ANSWER_TOKENS.join(""));
    expect((await chat("split-bytes").result).text).toBe(MOCK_ANSWER_TOKENS.join(""));
  });

  it("maps failures to the same typed errors", async () => {
    const truncated = await chat("truncated").result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(truncated?.code).toBe("truncated");
    const refused = await streamChat({
      baseURL: "http://127.0.0.1:9/v1",
      model: "m",
      messages: [],
      retry: 0,
      transport,
    }).result.then(
      () => undefined,
      (e: LlmstreamError) => e,
    );
    expect(refused?.code).toBe("connection");
  });

  it("abort closes the connection", async () => {
    const controller = new AbortController();
    const index = server.requests.length;
    const stream = chat("slow", controller.signal);
    for await (const event of stream) if (event.type === "text") controller.abort();
    expect((await stream.result).finishReason).toBe("aborted");
    expect((await server.waitForClose(index, { timeoutMs: 2000 })).clientClosedEarly).toBe(true);
  });
});
