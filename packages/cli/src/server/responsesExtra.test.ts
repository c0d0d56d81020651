import { describe, expect, it } from "vitest";
import { parseGenerationRequest } from "./parseGenerationRequest.js";
import { chatExtraFromResponses, responsesExtra } from "./responsesExtra.js";

describe("responsesExtra", () => {
  it("turns chat tools, a forced function, reasoning_effort and response_format into the Responses form", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    expect(
      responsesExtra({
        tools: [
          {
            type: "function",
            function: { name: "get_weather", description: "Weather", parameters, strict: true },
          },
        ],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: false,
        reasoning_effort: "low",
        response_format: {
          type: "json_schema",
          json_schema: { name: "w", schema: parameters, strict: true },
        },
        user: "u1",
      }),
    ).toEqual({
      tools: [{ type: "function", name: "get_weather", description: "Weather", parameters, strict: true }],
      tool_choice: { type: "function", name: "get_weather" },
      parallel_tool_calls: false,
      reasoning: { effort: "low" },
      text: { format: { type: "json_schema", name: "w", schema: parameters, strict: true } },
      user: "u1",
    });
  });

  it("leaves out the chat-only sampling fields and passes string choices and other tools as they are", () => {
    expect(
      responsesExtra({
        presence_penalty: 1,
        frequency_penalty: 1,
        logit_bias: { 1: 2 },
        tool_choice: "required",
        tools: [{ type: "web_search" }],
        response_format: { type: "json_object" },
      }),
    ).toEqual({
      tool_choice: "required",
      tools: [{ type: "web_search" }],
      text: { format: { type: "json_object" } },
    });
  });

  it("round-trips the fields of a /v1/responses request through the server's chat form unchanged", () => {
    const fields = {
      tools: [{ type: "function", name: "get_time", parameters: { type: "object" } }],
      tool_choice: { type: "function", name: "get_time" },
      parallel_tool_calls: false,
      reasoning: { effort: "high" },
      text: { format: { type: "json_schema", name: "t", schema: { type: "object" }, strict: true } },
      user: "u1",
    };
    const parsed = parseGenerationRequest("responses", { model: "m", input: "What time is it?", ...fields });
    // A chat upstream gets the chat form, a Responses upstream the fields as the client sent them.
    expect(parsed.extra).toMatchObject({
      reasoning_effort: "high",
      response_format: {
        type: "json_schema",
        json_schema: { name: "t", schema: { type: "object" }, strict: true },
      },
      tools: [{ type: "function", function: { name: "get_time" } }],
    });
    expect(responsesExtra(parsed.extra)).toEqual(fields);
  });

  it("keeps no chat field for a plain-text format or a reasoning summary only", () => {
    expect(
      chatExtraFromResponses({ text: { format: { type: "text" } }, reasoning: { summary: "auto" } }),
    ).toEqual({});
  });
});
