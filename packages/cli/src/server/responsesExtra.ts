/** Chat fields the Responses API has no counterpart for: OpenAI answers 400 to unknown parameters. */
const dropped = new Set(["presence_penalty", "frequency_penalty", "logit_bias"]);

/**
 * A request's pass-through fields, which the server keeps in the Chat Completions form, as a
 * Responses upstream takes them: function tools flat (`{type, name, parameters}` instead of
 * `{type, function: {…}}`), a forced function as `{type, name}`, `reasoning_effort` as
 * `reasoning.effort`, `response_format` as `text.format`; fields Responses does not have are left
 * out. Anything else (and any tool that is not a chat function tool) is passed as it is.
 */
export function responsesExtra(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extra)) {
    if (dropped.has(key)) continue;
    switch (key) {
      case "tools":
        out.tools = Array.isArray(value) ? value.map(responsesTool) : value;
        break;
      case "tool_choice":
        out.tool_choice = responsesToolChoice(value);
        break;
      case "reasoning_effort":
        out.reasoning = { ...(out.reasoning as object | undefined), effort: value };
        break;
      case "response_format":
        out.text = { ...(out.text as object | undefined), format: responsesFormat(value) };
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

type Loose = Record<string, unknown>;
const isRecord = (value: unknown): value is Loose => typeof value === "object" && value !== null;

function responsesTool(tool: unknown): unknown {
  if (!isRecord(tool) || tool.type !== "function" || !isRecord(tool.function)) return tool;
  return { type: "function", ...tool.function };
}

function responsesToolChoice(choice: unknown): unknown {
  if (!isRecord(choice) || choice.type !== "function" || !isRecord(choice.function)) return choice;
  return { type: "function", name: choice.function.name };
}

/** `{type: "json_schema", json_schema: {name, schema, strict}}` → `{type: "json_schema", name, schema, strict}`. */
function responsesFormat(format: unknown): unknown {
  if (!isRecord(format) || format.type !== "json_schema" || !isRecord(format.json_schema)) return format;
  return { type: "json_schema", ...format.json_schema };
}

/**
 * The reverse, for a `/v1/responses` request: its pass-through fields in the Chat Completions form
 * the server keeps (`reasoning.effort` → `reasoning_effort`, `text.format` → `response_format`;
 * `parallel_tool_calls` and `user` as they are). Tools are parsed, with validation, by the request
 * parser. `reasoning.summary` has no chat counterpart and is not kept.
 */
export function chatExtraFromResponses(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.parallel_tool_calls !== undefined) out.parallel_tool_calls = input.parallel_tool_calls;
  if (input.user !== undefined) out.user = input.user;
  if (isRecord(input.reasoning) && input.reasoning.effort !== undefined && input.reasoning.effort !== null)
    out.reasoning_effort = input.reasoning.effort;
  const format = isRecord(input.text) ? input.text.format : undefined;
  if (isRecord(format) && format.type !== "text") {
    if (format.type === "json_schema") {
      const { type, ...schema } = format;
      out.response_format = { type, json_schema: schema };
    } else out.response_format = format;
  }
  return out;
}
