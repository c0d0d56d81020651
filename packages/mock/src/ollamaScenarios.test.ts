import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER } from "./mockAnswer.js";
import { ndjson, rawRequest } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const base = { model: "qwen3", messages: [{ role: "user", content: "hi" }] };
type Line = { message: { content: string; thinking?: string; tool_calls?: unknown[] }; done: boolean };

describe("Ollama scenarios", () => {
  it("ollama-thinking streams message.thinking before message.content", async () => {
    const response = await rawRequest(`${mock.url}/s/ollama-thinking/api/chat`, base);
    const lines = ndjson(response.body.toString()) as Line[];
    const thinking = lines.map((line) => line.message.thinking ?? "").join("");
    expect(thinking).toBe("The user wants a greeting.");
    expect(lines.map((line) => line.message.content).join("")).toBe(MOCK_ANSWER);
    const lastThinking = lines.findLastIndex((line) => line.message.thinking !== undefined);
    const firstContent = lines.findIndex((line) => line.message.content !== "");
    expect(firstContent).toBeGreaterThan(lastThinking);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop" });
  });

  it("ollama-thinking with stream:false answers one object with both fields", async () => {
    const response = await rawRequest(`${mock.url}/s/ollama-thinking/api/chat`, { ...base, stream: false });
    expect(JSON.parse(response.body.toString())).toMatchObject({
      message: { thinking: "The user wants a greeting.", content: MOCK_ANSWER },
      done: true,
    });
  });

  it("ollama-tools sends whole tool calls with object arguments", async () => {
    const response = await rawRequest(`${mock.url}/s/ollama-tools/api/chat`, base);
    const lines = ndjson(response.body.toString()) as Line[];
    expect(lines[0]?.message.tool_calls).toEqual([
      { function: { name: "get_weather", arguments: { city: "Paris" } } },
      { function: { name: "get_time", arguments: { timezone: "Europe/Paris" } } },
    ]);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop" });
  });

  it("refuses Ollama-only scenarios on /v1/chat/completions", async () => {
    const response = await rawRequest(`${mock.url}/s/ollama-tools/v1/chat/completions`, base);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body.toString()).error.message).toContain("/api/chat");
  });
});
