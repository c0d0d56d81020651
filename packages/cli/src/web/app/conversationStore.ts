/** One message as the page keeps it. */
export interface StoredMessage {
  role: "user" | "assistant";
  content: string;
  reasoning?: string;
  /** The figures shown under an answer. */
  stats?: string[];
  /** The error shown under an answer, when it failed. */
  error?: string;
}

/** The conversation the page keeps across reloads. */
export interface StoredConversation {
  model?: string;
  messages: StoredMessage[];
}

const KEY = "llmstream.chat.v1";

const isMessage = (value: unknown): value is StoredMessage => {
  const message = value as StoredMessage | null;
  return (
    typeof message === "object" &&
    message !== null &&
    (message.role === "user" || message.role === "assistant") &&
    typeof message.content === "string"
  );
};

/** Reads the saved conversation; anything unreadable (or written by another version) gives an empty one. */
export function loadConversation(storage: Pick<Storage, "getItem">): StoredConversation {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? "null") as Partial<StoredConversation> | null;
    if (parsed === null || !Array.isArray(parsed.messages)) return { messages: [] };
    return {
      ...(typeof parsed.model === "string" ? { model: parsed.model } : {}),
      messages: parsed.messages.filter(isMessage),
    };
  } catch {
    return { messages: [] };
  }
}

/**
 * Saves the conversation. Returns `false` when the browser refused (storage full or disabled): the
 * chat goes on, it just will not survive a reload.
 */
export function saveConversation(
  storage: Pick<Storage, "setItem">,
  conversation: StoredConversation,
): boolean {
  try {
    storage.setItem(KEY, JSON.stringify(conversation));
    return true;
  } catch {
    return false;
  }
}
