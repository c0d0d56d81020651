import { describe, expect, it } from "vitest";
import { responsesRequestBody, unsupportedResponsesOptions } from "./responsesRequestBody.js";

const base = { baseURL: "http://x/v1", model: "m" };

describe("responsesRequestBody", () => {
  it("turns a tool conversation into input items: function_call and function_call_output", () => {
    const body = responsesRequestBody(
      {
        ...base,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "system", content: "Use tools." },
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: "sunny" },
          { role: "system", content: "Answer in French." },
        ],
        maxTokens: 10,
        topP: 0.9,
        body: { reasoning: { effort: "low" } },
      },
      true,
    );
    expect(body).toEqual({
      model: "m",
      instructions: "Be brief.\n\nUse tools.",
      input: [
        { role: "user", content: "Weather?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
        { role: "system", content: "Answer in French." },
      ],
      stream: true,
      store: false,
      max_output_tokens: 10,
      top_p: 0.9,
      reasoning: { effort: "low" },
    });
  });

  it("maps chat content parts to Responses parts (input_text, output_text, input_image)", () => {
    const body = responsesRequestBody(
      {
        ...base,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
            ],
          },
          { role: "assistant", content: [{ type: "text", text: "A dot." }] },
        ],
      },
      false,
    );
    expect(body.input).toEqual([
      {
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image_url: "data:image/png;base64,AA", detail: "auto" },
        ],
      },
      { role: "assistant", content: [{ type: "output_text", text: "A dot." }] },
    ]);
    expect(body.stream).toBe(false);
    expect(body).not.toHaveProperty("instructions");
  });

  it("names the options the Responses API cannot take, unless the caller put them in body", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(unsupportedResponsesOptions({ ...base, messages, stop: "x", seed: 1 })).toHaveLength(2);
    expect(unsupportedResponsesOptions({ ...base, messages, seed: 1, body: { seed: 1 } })).toEqual([]);
  });
});
