import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER } from "./mockAnswer.js";

// The official SDK as an independent judge of how faithful the OpenAI dialect is.
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const sdk = (scenario: string) =>
  new OpenAI({ apiKey: "test", baseURL: `${mock.url}/s/${scenario}/v1`, maxRetries: 0 });
const request = { model: "gpt-mock", messages: [{ role: "user" as const, content: "hi" }] };

describe("the OpenAI SDK against the mock", () => {
  it("accumulates the ok stream into the answer with usage", async () => {
    const stream = sdk("ok").chat.completions.stream({ ...request, stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe(MOCK_ANSWER);
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBe(20);
    expect(completion.model).toBe("gpt-mock");
  });

  for (const scenario of ["tool-calls", "tool-calls-args-object-start"]) {
    it(`assembles both tool calls of ${scenario}`, async () => {
      const completion = await sdk(scenario).chat.completions.stream(request).finalChatCompletion();
      const calls = completion.choices[0]?.message.tool_calls ?? [];
      expect(calls.map((call) => (call.type === "function" ? call.function.name : ""))).toEqual([
        "get_weather",
        "get_time",
      ]);
      expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    });
  }

  it("reports the mid-stream error object as an error", async () => {
    const stream = await sdk("error-object").chat.completions.create({ ...request, stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(/server had an error/);
  });

  it("reads the non-streaming answer", async () => {
    const completion = await sdk("ok").chat.completions.create(request);
    expect(completion.choices[0]?.message.content).toBe(MOCK_ANSWER);
  });
});
