import { type AddressInfo, createServer as createNetServer } from "node:net";
import { createMockServer, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { floodToken } from "../../../mock/src/loadScenarios.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import { streamChat } from "./streamChat.js";

let server: MockServer;
beforeAll(async () => {
  server = await createMockServer();
});
afterAll(() => server.close());

describe("node transport", () => {
  it("pauses the socket while the consumer is busy, then delivers every chunk", async () => {
    const chunks = 200_000; // ~30 MB of SSE
    const index = server.requests.length;
    const stream = streamChat({
      baseURL: `${server.url}/s/flood/v1`,
      model: "m",
      messages: [],
      headers: { "x-mock-chunks": String(chunks) },
    });
    let count = 0;
    let paused = false;
    let writtenWhilePaused = 0;
    for await (const event of stream) {
      if (event.type !== "text") continue;
      count++;
      if (!paused) {
        paused = true;
        await new Promise((resolve) => setTimeout(resolve, 400));
        writtenWhilePaused = server.requests[index]?.bytesWritten ?? 0;
      }
    }
    const result = await stream.result;
    expect(count).toBe(chunks);
    expect(result.text).toBe(Array.from({ length: chunks }, (_, i) => floodToken(i)).join(""));
    // Kernel and stream buffers hold a few MB at most: the server could not push the whole body.
    expect(writtenWhilePaused).toBeLessThan(15 * 1024 * 1024);
  });
});

describe("kept-alive sockets", () => {
  it("sends once more on a fresh connection when the server closed the reused socket", async () => {
    const http = await import("node:http");
    const perSocket = new WeakMap<object, number>();
    let served = 0;
    const racy = http.createServer((req, res) => {
      const count = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, count);
      // The second request on a kept-alive socket hits a server that is closing it.
      if (count === 2) {
        req.socket.destroy();
        return;
      }
      served++;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      );
    });
    await new Promise<void>((resolve) => racy.listen(0, "127.0.0.1", resolve));
    const { port } = racy.address() as { port: number };
    const chat = () =>
      streamChat({ baseURL: `http://127.0.0.1:${port}/v1`, model: "m", messages: [], retry: 0 });
    try {
      expect((await chat().result).text).toBe("hi");
      expect((await chat().result).text).toBe("hi");
      expect(served).toBe(2);
    } finally {
      racy.closeAllConnections();
      await new Promise((resolve) => racy.close(resolve));
    }
  });

  it("never sends a request twice when a reused socket is reset after the response began", async () => {
    const first = server.requests.length;
    await streamChat({ baseURL: server.baseURL, model: "m", messages: [] }).result;
    // The second request reuses the kept-alive socket; the server resets it after 5 tokens.
    const stream = streamChat({ baseURL: `${server.url}/s/reset/v1`, model: "m", messages: [], retry: 0 });
    await expect(stream.result).rejects.toMatchObject({ code: "connection" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests.slice(first).map((r) => r.scenario)).toEqual(["ok", "reset"]);
  });
});

describe("kept-alive sockets across requests", () => {
  /** A server that writes the whole answer, then ends the HTTP body `endAfterMs` later. */
  async function lateEnder(endAfterMs: number) {
    const http = await import("node:http");
    const sockets = new Set<object>();
    const closed: number[] = [];
    const server = http.createServer((req, res) => {
      sockets.add(req.socket);
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      );
      const timer = setTimeout(() => res.end(), endAfterMs);
      res.on("close", () => {
        clearTimeout(timer);
        if (!res.writableFinished) closed.push(performance.now());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const chat = () =>
      streamChat({ baseURL: `http://127.0.0.1:${port}/v1`, model: "m", messages: [], retry: 0 });
    const stop = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    return { chat, sockets, closed, stop };
  }

  it("serves one request after another on one socket (the URL is parsed once, no connect timer)", async () => {
    const server = await lateEnder(0);
    try {
      for (let i = 0; i < 4; i++) {
        expect((await server.chat().result).text).toBe("hi");
        // Lets the agent take the socket back before the next request.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(server.sockets.size).toBe(1);
      expect(server.closed).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe("a port that does not speak HTTP", () => {
  it("is a protocol error (not-http) saying so, sent once and not retried", async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      connections += 1;
      socket.on("error", () => {});
      socket.write("SSH-2.0-OpenSSH_9.6\r\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const stream = streamChat({
        baseURL: `http://127.0.0.1:${port}/v1`,
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        retry: 3,
      });
      const error = await stream.result.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: "protocol", reason: "not-http" });
      expect((error as Error).message).toMatch(
        new RegExp(`^The server at 127\\.0\\.0\\.1:${port} did not speak HTTP \\(HPE_`),
      );
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });
});
