import type { TemplateSlot } from "../json/createTemplateJsonParser.js";
import { isRecord } from "../utils/isRecord.js";

const TEXT_KEYS = ["content", "reasoning_content", "reasoning"] as const;

/**
 * Where the token text of an OpenAI chat chunk sits (`choices[0].delta.content`, or the reasoning
 * fields), for the template parser: the part that changes from chunk to chunk.
 */
export function openAiTextSlot(value: unknown): TemplateSlot | undefined {
  if (!isRecord(value)) return undefined;
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice) || !isRecord(choice.delta)) return undefined;
  const holder = choice.delta;
  for (const key of TEXT_KEYS) {
    const text = holder[key];
    if (typeof text === "string" && text !== "") return { holder, key };
  }
  return undefined;
}
