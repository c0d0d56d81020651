import type { ChatRequestInfo } from "./readChatRequest.js";

/** What goes into an Ollama `message` object. */
export interface OllamaMessage {
  content?: string;
  thinking?: string;
  tool_calls?: readonly { function: { name: string; arguments: Record<string, unknown> } }[];
}

/** Durations are deterministic functions of the counts so tests can assert on them. */
const NS_PER_MS = 1_000_000;

/** One NDJSON line of a streaming `/api/chat` answer (`done: false`). */
export function ollamaLine(info: ChatRequestInfo, message: OllamaMessage): string {
  return `${JSON.stringify(ollamaObject(info, message, false))}\n`;
}

/** The final object: `done: true`, `done_reason` and the timing/count fields, in nanoseconds. */
export function ollamaFinal(
  info: ChatRequestInfo,
  options: { evalCount: number; doneReason?: string; message?: OllamaMessage },
): Record<string, unknown> {
  const promptEvalDuration = info.promptTokens * 2 * NS_PER_MS;
  const evalDuration = options.evalCount * 10 * NS_PER_MS;
  const loadDuration = 5 * NS_PER_MS;
  return {
    ...ollamaObject(info, options.message ?? { content: "" }, true),
    done_reason: options.doneReason ?? "stop",
    total_duration: loadDuration + promptEvalDuration + evalDuration,
    load_duration: loadDuration,
    prompt_eval_count: info.promptTokens,
    prompt_eval_duration: promptEvalDuration,
    eval_count: options.evalCount,
    eval_duration: evalDuration,
  };
}

function ollamaObject(info: ChatRequestInfo, message: OllamaMessage, done: boolean): Record<string, unknown> {
  return {
    model: info.model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", ...message, content: message.content ?? "" },
    done,
  };
}
