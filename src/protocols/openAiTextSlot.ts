import type { TemplateSlot } from "../json/createTemplateJsonParser.js";

const TEXT_KEYS = ["content", "reasoning_content", "reasoning"] as const;

/**
 * Where the token text of an OpenAI chat chunk sits (`choices[0].delta.content`, or the reasoning
 * fields), for the template parser: the part that changes from chunk to chunk.
 */
export function openAiTextSlot(value: unknown): TemplateSlot | undefined {
  const choices = (value as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const delta = (choices[0] as { delta?: unknown } | null)?.delta;
  if (typeof delta !== "object" || delta === null) return undefined;
  const holder = delta as Record<string, unknown>;
  for (const key of TEXT_KEYS) {
    const text = holder[key];
    if (typeof text === "string" && text !== "") return { holder, key };
  }
  return undefined;
}
