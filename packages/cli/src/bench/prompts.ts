import type { ChatMessage } from "llmstream";
import { normalSample, seededRandom } from "./seededRandom.js";

/** One prompt the benchmark sends. */
export interface BenchPrompt {
  messages: ChatMessage[];
  /** Overrides `--max-tokens` for this prompt. */
  maxTokens?: number;
}

/** Words that are one token in the common tokenizers (Llama, GPT, Qwen), so N words ≈ N tokens. */
const WORDS =
  "the of and to in is was for on with as by at from that this it be are or an not but have had has one all were when there can more if out so what up about who them some time would very into than its only other new then two these way may first any like over just also after made many where most".split(
    " ",
  );

/** Options of {@link syntheticPrompts}. */
export interface SyntheticPromptOptions {
  count: number;
  /** Mean prompt length in (approximate) tokens. */
  tokens: number;
  /** Standard deviation of the length; 0 gives every prompt the same length. @defaultValue 0 */
  stddev?: number;
  /** @defaultValue 0 */
  seed?: number;
}

/**
 * Random-word prompts of about `tokens` tokens each (normally distributed when `stddev` > 0, at least
 * 1). Each prompt differs from the first word on, so a server's prefix cache cannot serve one from
 * another. Deterministic for a seed.
 */
export function syntheticPrompts(options: SyntheticPromptOptions): BenchPrompt[] {
  const random = seededRandom(options.seed ?? 0);
  const prompts: BenchPrompt[] = [];
  for (let i = 0; i < options.count; i++) {
    const length = Math.max(1, Math.round(options.tokens + (options.stddev ?? 0) * normalSample(random)));
    const words: string[] = [];
    for (let w = 0; w < length; w++) words.push(WORDS[Math.floor(random() * WORDS.length)] as string);
    prompts.push({ messages: [{ role: "user", content: words.join(" ") }] });
  }
  return prompts;
}

/** Most prompt lines read from a file. */
export const MAX_PROMPTS = 1_000_000;

/**
 * Parses a prompts file: one JSON object per line, `{"prompt": "…"}` or `{"messages": [...]}`, with an
 * optional `"max_tokens"`. Blank lines are skipped. Throws a `SyntaxError` naming the line.
 */
export function parsePromptLines(text: string): BenchPrompt[] {
  const prompts: BenchPrompt[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === "") continue;
    if (prompts.length >= MAX_PROMPTS) throw new RangeError(`More than ${MAX_PROMPTS} prompts in the file`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new SyntaxError(
        `Line ${n + 1} of the prompts file is not JSON: write one {"prompt": "…"} per line`,
      );
    }
    const object = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    let messages: ChatMessage[];
    if (typeof object.prompt === "string") messages = [{ role: "user", content: object.prompt }];
    else if (Array.isArray(object.messages)) messages = object.messages as ChatMessage[];
    else
      throw new SyntaxError(
        `Line ${n + 1} of the prompts file has neither "prompt" (a string) nor "messages"`,
      );
    const prompt: BenchPrompt = { messages };
    const maxTokens = object.max_tokens;
    if (typeof maxTokens === "number" && Number.isInteger(maxTokens) && maxTokens > 0)
      prompt.maxTokens = maxTokens;
    prompts.push(prompt);
  }
  if (prompts.length === 0)
    throw new SyntaxError('The prompts file has no prompts: write one {"prompt": "…"} per line');
  return prompts;
}
