import { createMockServer, type MockServer } from "./createMockServer.js";

/**
 * Starts a mock server for `llmstream mock`: listens until `close()` and prints nothing itself, so
 * the CLI decides how to announce `url`.
 */
export function runMockServer(options: { port?: number; host?: string } = {}): Promise<MockServer> {
  return createMockServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
}
