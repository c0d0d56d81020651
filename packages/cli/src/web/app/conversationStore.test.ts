import { describe, expect, it } from "vitest";
import { loadConversation, saveConversation } from "./conversationStore.js";

const memory = () => {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    items,
  };
};

describe("conversationStore", () => {
  it("round-trips a conversation", () => {
    const storage = memory();
    const conversation = {
      model: "m",
      messages: [
        { role: "user" as const, content: "hi" },
        { role: "assistant" as const, content: "hello", stats: ["TTFT 1 ms"], error: "cut off" },
      ],
    };
    expect(saveConversation(storage, conversation)).toBe(true);
    expect(loadConversation(storage)).toEqual(conversation);
  });

  it("reads nothing, corrupt JSON or foreign shapes as an empty conversation, dropping bad messages", () => {
    const storage = memory();
    expect(loadConversation(storage)).toEqual({ messages: [] });
    storage.items.set("llmstream.chat.v1", "{not json");
    expect(loadConversation(storage)).toEqual({ messages: [] });
    storage.items.set("llmstream.chat.v1", JSON.stringify({ messages: "x" }));
    expect(loadConversation(storage)).toEqual({ messages: [] });
    storage.items.set(
      "llmstream.chat.v1",
      JSON.stringify({
        model: 3,
        messages: [{ role: "system", content: "x" }, { role: "user", content: "ok" }, null],
      }),
    );
    expect(loadConversation(storage)).toEqual({ messages: [{ role: "user", content: "ok" }] });
  });

  it("reports a refused write (storage full) instead of throwing", () => {
    const full = {
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
    };
    expect(saveConversation(full, { messages: [] })).toBe(false);
  });
});
