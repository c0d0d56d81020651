import type { ChatMessage } from "llmstream";
import type { ChatHistoryItem, Token } from "node-llama-cpp";
import type { EngineModel } from "./engineRuntime.js";
import { loadNodeLlamaCpp } from "./engineRuntime.js";

/** The tokens to evaluate for one request, and how generation should stop. */
export interface EnginePrompt {
  tokens: Token[];
  /** True when the model has no chat template and the prompt text is completed as is. */
  plainCompletion: boolean;
  /** Single special tokens that end generation (from the chat template), besides end-of-generation tokens. */
  stopTokens: Set<Token>;
  /** Text stop triggers from the chat template, to be added to the caller's `stop` strings. */
  stopStrings: string[];
}

/** The text of a message: a string, or the `text` parts of an OpenAI content array joined. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") parts.push(part);
    else if (
      typeof part === "object" &&
      part !== null &&
      typeof (part as { text?: unknown }).text === "string"
    ) {
      parts.push((part as { text: string }).text);
    }
  }
  return parts.join("");
}

/**
 * The prompt text for a base model without a chat template: the last user message, with the system
 * messages' text before it (a blank line between). Earlier turns are left out because a base model
 * only continues text; a transcript format would be invented, not the model's own.
 */
export function plainCompletionPrompt(messages: readonly ChatMessage[]): string {
  const system: string[] = [];
  let lastUser: string | undefined;
  for (const message of messages) {
    if (message.role === "system") system.push(messageText(message));
    else if (message.role === "user") lastUser = messageText(message);
  }
  const parts = system.filter((text) => text !== "");
  if (lastUser !== undefined) parts.push(lastUser);
  return parts.join("\n\n");
}

/**
 * Turns chat messages into prompt tokens. A model with `tokenizer.chat_template` gets its template
 * (through node-llama-cpp's chat wrapper for that template); a base model gets
 * {@link plainCompletionPrompt}, tokenized with the beginning-of-sequence token when the model wants one.
 */
export async function buildEnginePrompt(
  engine: EngineModel,
  messages: readonly ChatMessage[],
): Promise<EnginePrompt> {
  const { model, info } = engine;
  const bos = model.tokens.bos;
  const withBos = (tokens: Token[]): Token[] =>
    bos !== null && model.tokens.shouldPrependBosToken && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  if (!info.hasChatTemplate) {
    return {
      tokens: withBos(model.tokenize(plainCompletionPrompt(messages))),
      plainCompletion: true,
      stopTokens: new Set(),
      stopStrings: [],
    };
  }
  const { resolveChatWrapper, GeneralChatWrapper } = await loadNodeLlamaCpp();
  const wrapper = resolveChatWrapper(model) ?? new GeneralChatWrapper();
  const chatHistory: ChatHistoryItem[] = [];
  for (const message of messages) {
    const text = messageText(message);
    if (message.role === "system") chatHistory.push({ type: "system", text });
    else if (message.role === "assistant") chatHistory.push({ type: "model", response: [text] });
    else chatHistory.push({ type: "user", text });
  }
  chatHistory.push({ type: "model", response: [] });
  const state = wrapper.generateContextState({ chatHistory });
  const stopTokens = new Set<Token>();
  const stopStrings: string[] = [];
  for (const trigger of state.stopGenerationTriggers) {
    const tokens = trigger.tokenize(model.tokenizer, "trimLeadingSpace");
    const only = tokens.length === 1 ? tokens[0] : undefined;
    if (only !== undefined && model.isSpecialToken(only)) stopTokens.add(only);
    else {
      const text = trigger.toString();
      if (text !== "") stopStrings.push(text);
    }
  }
  return {
    tokens: withBos(state.contextText.tokenize(model.tokenizer)),
    plainCompletion: false,
    stopTokens,
    stopStrings,
  };
}
