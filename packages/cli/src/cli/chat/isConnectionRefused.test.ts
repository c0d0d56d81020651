import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isConnectionRefused } from "./isConnectionRefused.js";

describe("isConnectionRefused", () => {
  it("is true for a port nobody listens on, false for a listening one", async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    expect(await isConnectionRefused(`http://127.0.0.1:${port}/v1`)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isConnectionRefused(`http://127.0.0.1:${port}/v1`)).toBe(true);
  });
});
