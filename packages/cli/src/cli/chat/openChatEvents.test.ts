import type { EnginePreparedInfo } from "@llmstream/engine";
import type { ChatMessage } from "llmstream";
import { describe, expect, it } from "vitest";
import {
  type OpenChatEventsOptions,
  toEngineChatOptions,
  toSharedChatOptions,
  toStreamChatOptions,
} from "./openChatEvents.js";
import { resolveChatOptions } from "./resolveChatOptions.js";

const messages: ChatMessage[] = [{ role: "user", content: "Hi" }];

function turn(raw: Parameters<typeof resolveChatOptions>[0]): OpenChatEventsOptions {
  return {
    backend: { kind: "http" },
    settings: resolveChatOptions(raw, {}),
    messages,
    signal: new AbortController().signal,
    stdoutIsTTY: false,
  };
}

describe("chat's request options", () => {
  const every: OpenChatEventsOptions = {
    ...turn({
      baseUrl: "http://127.0.0.1:9/v1",
      model: "m",
      apiKey: "k",
      temperature: "0.5",
      maxTokens: "12",
      seed: "7",
      idleTimeout: "3",
      retries: "1",
      thinkTags: "start-in-thinking",
      threads: "2",
      stream: false,
    }),
    onFinish: () => {},
  };

  it("give the engine and the HTTP client the same shared settings", () => {
    const shared = toSharedChatOptions(every);
    expect(shared).toEqual({
      messages,
      signal: every.signal,
      timeouts: { firstTokenMs: 300_000, idleMs: 3000 },
      maxTokens: 12,
      temperature: 0.5,
      seed: 7,
      thinkTags: "start-in-thinking",
      onFinish: every.onFinish,
    });
    expect(toEngineChatOptions(every, "m.gguf")).toMatchObject(shared);
    expect(toStreamChatOptions(every)).toMatchObject(shared);
  });

  it("add only what belongs to each backend", () => {
    const engine = toEngineChatOptions(every, "m.gguf");
    expect(engine).toMatchObject({ modelFile: "m.gguf", threads: 2 });
    expect(engine).not.toHaveProperty("baseURL");
    expect(engine).not.toHaveProperty("apiKey");
    const http = toStreamChatOptions(every);
    expect(http).toMatchObject({
      baseURL: "http://127.0.0.1:9/v1",
      protocol: "openai",
      model: "m",
      apiKey: "k",
      retry: 1,
      stream: false,
    });
    expect(http).not.toHaveProperty("threads");
  });

  it("leave unset settings out, so each library's defaults apply", () => {
    const bare = turn({});
    expect(Object.keys(toSharedChatOptions(bare)).sort()).toEqual(["messages", "signal", "timeouts"]);
    expect(Object.keys(toEngineChatOptions(bare, "m.gguf")).sort()).toEqual([
      "messages",
      "modelFile",
      "signal",
      "timeouts",
    ]);
  });

  it("tell the caller which model file the engine prepared", () => {
    const seen: unknown[] = [];
    const request = toEngineChatOptions({ ...every, onEnginePrepared: (info) => seen.push(info) }, "m.gguf");
    request.onPrepared?.({ plainCompletion: true, engine: { file: "/models/m.gguf" } } as EnginePreparedInfo);
    expect(seen).toEqual([{ plainCompletion: true, modelFile: "/models/m.gguf" }]);
  });
});
