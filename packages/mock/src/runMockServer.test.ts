import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { MOCK_ANSWER } from "./mockAnswer.js";
import { rawRequest, sseContent } from "./mockHttp.test-helper.js";
import { runMockServer } from "./runMockServer.js";

/** A port that was free a moment ago (the OS hands out ephemeral ports round-robin). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("Probe server has no port");
  return address.port;
}

describe("runMockServer", () => {
  it("listens on the requested host and port and serves the default scenario", async () => {
    const port = await freePort();
    const mock = await runMockServer({ port, host: "127.0.0.1" });
    try {
      expect(mock.url).toBe(`http://127.0.0.1:${port}`);
      const response = await rawRequest(`${mock.baseURL}/chat/completions`, { stream: true });
      expect(sseContent(response.body.toString())).toBe(MOCK_ANSWER);
    } finally {
      await mock.close();
    }
  });

  it("rejects when the port is taken", async () => {
    const first = await runMockServer();
    const port = Number(new URL(first.url).port);
    try {
      await expect(runMockServer({ port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
