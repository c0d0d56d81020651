import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";

// openai-node as an independent judge of the mock's Responses wire format: its SSE reader, its
// error handling and (for the OpenAI flavor) its strict snapshot accumulator must all accept it.
let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const sdk = (scenario: string, flavor = "openai") =>
  new OpenAI({
    apiKey: "test",
    baseURL: `${mock.url}/s/${scenario}/v1`,
    maxRetries: 0,
    defaultHeaders: { "x-mock-flavor": flavor },
  });
const request = { model: "gpt-mock", input: "Say hi" };

/** Every event the SDK yields from `responses.create({ stream: true })`. */
async function events(scenario: string, flavor = "openai") {
  const stream = await sdk(scenario, flavor).responses.create({ ...request, stream: true });
  const seen: { type: string; [key: string]: unknown }[] = [];
  for await (const event of stream) seen.push(event as never);
  return seen;
}

const joined = (seen: { type: string; delta?: unknown }[], type: string) =>
  seen
    .filter((event) => event.type === type)
    .map((event) => event.delta)
    .join("");

describe("openai-node's responses API against the mock", () => {
  for (const flavor of ["openai", "ollama", "vllm", "llamacpp"]) {
    it(`create({ stream: true }) parses the ${flavor} flavor: deltas and the completed response`, async () => {
      const seen = await events("ok", flavor);
      expect(joined(seen, "response.output_text.delta")).toBe(MOCK_ANSWER);
      const last = seen.at(-1) as {
        type: string;
        response: { status: string; usage: { output_tokens: number } };
      };
      expect(last.type).toBe("response.completed");
      expect(last.response.usage.output_tokens).toBe(20);
    });
  }

  it("stream().finalResponse() accumulates the OpenAI flavor into output_text with usage", async () => {
    const response = await sdk("ok").responses.stream(request).finalResponse();
    expect(response.output_text).toBe(MOCK_ANSWER);
    expect(response.status).toBe("completed");
    expect(response.usage?.output_tokens).toBe(20);
  });

  it("stream().finalResponse() accumulates reasoning summaries and function calls", async () => {
    const reasoning = await sdk("reasoning").responses.stream(request).finalResponse();
    const item = reasoning.output.find((output) => output.type === "reasoning");
    expect(item?.type === "reasoning" ? item.summary.map((part) => part.text).join("") : "").toBe(
      "The user wants a greeting.",
    );
    const tools = await sdk("tool-calls").responses.stream(request).finalResponse();
    const calls = tools.output.flatMap((output) => (output.type === "function_call" ? [output] : []));
    expect(calls.map((call) => [call.name, call.arguments])).toEqual([
      ["get_weather", '{"city": "Paris"}'],
      ["get_time", '{"timezone": "Europe/Paris"}'],
    ]);
  });

  it("sees response.incomplete with its reason, and response.failed as an event", async () => {
    const incomplete = await events("incomplete");
    expect(incomplete.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { incomplete_details: { reason: "max_output_tokens" } },
    });
    const failed = await events("failed");
    expect(joined(failed, "response.output_text.delta")).toBe(MOCK_ANSWER_TOKENS.slice(0, 5).join(""));
    expect(failed.at(-1)).toMatchObject({
      type: "response.failed",
      response: { error: { code: "server_error" } },
    });
  });

  it("throws an APIError on the in-band error event", async () => {
    await expect(events("event-error")).rejects.toThrow(/server had an error/);
  });

  it("reads the non-streamed response object", async () => {
    const response = await sdk("ok").responses.create(request);
    expect(response.output_text).toBe(MOCK_ANSWER);
    expect(response.usage?.output_tokens).toBe(20);
  });
});
