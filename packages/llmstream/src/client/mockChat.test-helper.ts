import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll } from "vitest";
import type { ChatStream } from "../stream/ChatStream.js";
import type { StreamChatOptions } from "../types/options.js";
import { streamChat } from "./streamChat.js";

/** One mock server for a test file, and `chat()` against its scenarios. */
export interface MockChat {
  /** Started before the file's first test, closed after its last. */
  readonly server: MockServer;
  /** `streamChat` against `scenario` (on `target`, by default the file's server), without retries. */
  chat(scenario: string, extra?: Partial<StreamChatOptions>, target?: MockServer): ChatStream;
}

/** Starts a mock server for the calling test file (closed after it) and returns {@link MockChat}. */
export function useMockChat(): MockChat {
  let server: MockServer | undefined;
  beforeAll(async () => {
    server = await createMockServer();
  });
  afterAll(() => server?.close());
  const started = (): MockServer => {
    if (server === undefined) throw new Error("useMockChat's server is used before its beforeAll hook ran");
    return server;
  };
  return {
    get server() {
      return started();
    },
    chat: (scenario, extra = {}, target = started()) =>
      streamChat({
        baseURL: `${target.url}/s/${scenario}/v1`,
        model: "mock-model",
        messages: [{ role: "user", content: "Say hello" }],
        retry: 0,
        ...extra,
      }),
  };
}
