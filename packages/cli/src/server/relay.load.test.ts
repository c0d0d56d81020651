// biome-ignore-all lint/suspicious/noExplicitAny: the test reads loosely typed wire JSON

import { createMockServer, MOCK_ANSWER, type MockServer } from "@llmstream/mock";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRelayBackend } from "./createRelayBackend.js";
import { createServeApp, type ServeApp } from "./createServeApp.js";
import { type NodeServer, serveNode } from "./serveNode.js";

let mocks: MockServer[];
let app: ServeApp;
let server: NodeServer;
const backend = () => app.backend;

beforeAll(async () => {
  mocks = [await createMockServer(), await createMockServer()];
  app = createServeApp({
    backend: createRelayBackend({
      upstreams: mocks.map((mock, index) => ({
        name: `m${index}`,
        url: mock.baseURL,
        protocol: "openai" as const,
      })),
    }),
  });
  server = await serveNode(app, { port: 0 });
});
afterAll(async () => {
  await server.close();
  await app.shutdown({ graceMs: 0 });
  for (const mock of mocks) await mock.close();
});

it("relays 200 concurrent streams with every byte accounted for, and in-flight back to 0", async () => {
  const count = 200;
  const streams = Array.from({ length: count }, async (_, index) => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-mock-interval-ms": "5" },
      body: JSON.stringify({
        model: `load-${index}`,
        stream: true,
        stream_options: { include_usage: index % 2 === 0 },
        messages: [{ role: "user", content: `request ${index}` }],
      }),
    });
    return { index, status: response.status, text: await response.text() };
  });
  const results = await Promise.all(streams);
  for (const { index, status, text } of results) {
    expect(status).toBe(200);
    const events = text.split("\n\n").filter((block) => block !== "");
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events
      .slice(0, -1)
      .map((block) => JSON.parse(block.slice("data: ".length)) as Record<string, any>);
    // Role chunk + 20 content chunks + finish chunk (+ usage chunk when asked): nothing lost, nothing extra.
    expect(chunks).toHaveLength(index % 2 === 0 ? 23 : 22);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(MOCK_ANSWER);
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set([`load-${index}`]));
  }
  const upstreamRequests = mocks.flatMap((mock) => mock.requests);
  expect(upstreamRequests).toHaveLength(count);
  expect(upstreamRequests.every((record) => !record.clientClosedEarly)).toBe(true);
  // Least-outstanding spreads the load over both upstreams.
  for (const mock of mocks) expect(mock.requests.length).toBeGreaterThan(count / 4);
  expect(backend().inFlight()).toEqual({ m0: 0, m1: 0 });
}, 60_000);
