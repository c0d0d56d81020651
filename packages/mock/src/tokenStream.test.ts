import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "./createMockServer.js";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { ndjson, rawRequest, sseChunks, sseContent, sseData, sseDeltas } from "./mockHttp.test-helper.js";

let mock: MockServer;
beforeAll(async () => {
  mock = await createMockServer();
});
afterAll(() => mock.close());

const messages = [{ role: "user", content: "three words here" }];
const openai = (body: Record<string, unknown>) =>
  rawRequest(`${mock.baseURL}/chat/completions`, { model: "m", messages, ...body });

describe("the ok scenario over OpenAI SSE", () => {
  it("sends a role chunk, the answer, a finish chunk with content null and [DONE]", async () => {
    const text = (await openai({ stream: true })).body.toString("utf8");
    const deltas = sseDeltas(text);
    expect(deltas[0]).toEqual({ role: "assistant", content: "" });
    expect(deltas.at(-1)).toEqual({ content: null });
    const last = sseChunks(text).at(-1) as { choices: { finish_reason: string }[] };
    expect(last.choices[0]?.finish_reason).toBe("stop");
    expect(sseContent(text)).toBe(MOCK_ANSWER);
    expect(sseData(text).at(-1)).toBe("[DONE]");
  });

  it("carries multi-byte text, keep-alive comments and obfuscation fields", async () => {
    const text = (await openai({ stream: true })).body.toString("utf8");
    expect(MOCK_ANSWER).toContain("café");
    expect(MOCK_ANSWER).toContain("👩‍💻");
    expect(MOCK_ANSWER).toContain("你好");
    expect(text).toContain("\n: ping\n\n");
    const obfuscated = sseChunks(text).filter((chunk) => typeof chunk.obfuscation === "string");
    expect(obfuscated.length).toBeGreaterThan(0);
    expect(obfuscated.length).toBeLessThan(MOCK_ANSWER_TOKENS.length);
  });

  it("adds a usage chunk with empty choices only when include_usage is requested", async () => {
    const plain = sseChunks((await openai({ stream: true })).body.toString());
    expect(plain.some((chunk) => "usage" in chunk)).toBe(false);
    const withUsage = sseChunks(
      (await openai({ stream: true, stream_options: { include_usage: true } })).body.toString(),
    );
    expect(withUsage.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: MOCK_ANSWER_TOKENS.length },
    });
    expect(withUsage.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it("stops after max_tokens with finish_reason length", async () => {
    const text = (await openai({ stream: true, max_tokens: 3 })).body.toString();
    expect(sseContent(text)).toBe(MOCK_ANSWER_TOKENS.slice(0, 3).join(""));
    const last = sseChunks(text).at(-1) as { choices: { finish_reason: string }[] };
    expect(last.choices[0]?.finish_reason).toBe("length");
  });

  it("answers stream:false with one chat.completion object", async () => {
    const response = await openai({ stream: false });
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body.toString())).toMatchObject({
      object: "chat.completion",
      model: "m",
      choices: [{ message: { role: "assistant", content: MOCK_ANSWER }, finish_reason: "stop" }],
      usage: { completion_tokens: MOCK_ANSWER_TOKENS.length },
    });
  });
});

describe("the ok scenario over Ollama NDJSON", () => {
  it("streams by default and ends with done:true and nanosecond timings", async () => {
    const response = await rawRequest(`${mock.url}/api/chat`, { model: "llama3", messages });
    expect(response.headers["content-type"]).toBe("application/x-ndjson");
    const lines = ndjson(response.body.toString("utf8"));
    const content = lines.map((line) => (line.message as { content: string }).content).join("");
    expect(content).toBe(MOCK_ANSWER);
    expect(lines.slice(0, -1).every((line) => line.done === false && line.model === "llama3")).toBe(true);
    const final = lines.at(-1)!;
    expect(final).toMatchObject({ done: true, done_reason: "stop", eval_count: MOCK_ANSWER_TOKENS.length });
    for (const field of ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"]) {
      expect(Number.isInteger(final[field])).toBe(true);
    }
    expect(final.prompt_eval_count).toBe(3);
  });

  it("answers stream:false with one object holding the whole message", async () => {
    const response = await rawRequest(`${mock.url}/api/chat`, { model: "llama3", messages, stream: false });
    expect(JSON.parse(response.body.toString())).toMatchObject({
      message: { role: "assistant", content: MOCK_ANSWER },
      done: true,
    });
  });

  it("honours options.num_predict", async () => {
    const response = await rawRequest(`${mock.url}/api/chat`, { messages, options: { num_predict: 2 } });
    const lines = ndjson(response.body.toString());
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ done_reason: "length", eval_count: 2 });
  });
});
