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
