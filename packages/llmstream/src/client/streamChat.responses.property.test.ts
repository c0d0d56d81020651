import type { MockRequestRecord, ScenarioResponse } from "@llmstream/mock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { responsesScenarios } from "../../../mock/src/responsesScenarios.js";
import { responsesStream } from "../../../mock/src/responsesStream.js";
import { responseBytes } from "../../../mock/src/scenarioHelpers.js";
import type { StreamEvent } from "../types/events.js";
import { splitAt } from "../utils/splitAt.test-helper.js";
import { streamChat } from "./streamChat.js";

// The Responses bodies the mock writes for each server flavor, fed to the client in every possible
// split: the events, text and result must not depend on where the network cut the bytes.
const FLAVORS = ["openai", "ollama", "vllm", "llamacpp"] as const;

function record(flavor: string): MockRequestRecord {
  return {
    index: 0,
    method: "POST",
    path: "/v1/responses",
    headers: { "x-mock-flavor": flavor },
    body: { model: "m", input: [{ role: "user", content: "hi" }], stream: true },
    rawBody: "",
    scenario: "custom",
    startedAt: 0,
    status: undefined,
    writes: 0,
    bytesWritten: 0,
    clientClosedEarly: false,
    serverDestroyed: false,
    closedAt: undefined,
  };
}

function body(build: (context: Parameters<typeof responsesStream>[0]) => ScenarioResponse, flavor: string) {
  return new Uint8Array(responseBytes(build({ api: "responses", request: record(flavor), attempt: 0 })));
}

const BODIES = FLAVORS.flatMap((flavor) => [
  body((context) => responsesStream(context), flavor),
  body(responsesScenarios.reasoning as never, flavor),
  body(responsesScenarios["tool-calls"] as never, flavor),
  // Multi-byte text: the split may fall inside a character.
  body((context) => responsesStream(context, { tokens: ["é", "👩‍💻", " 你好", "\n", '"q"'] }), flavor),
]);

/** Everything observable about one run: the events (times left out) and the result's fields. */
async function observe(pieces: (Uint8Array | string)[]) {
  const stream = streamChat({
    baseURL: "http://127.0.0.1:9/v1",
    model: "m",
    messages: [],
    protocol: "responses",
    transport: async () => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      body: {
        async *[Symbol.asyncIterator]() {
          yield* pieces;
        },
      },
      close: () => {},
    }),
  });
  const events: unknown[] = [];
  const strip = (event: StreamEvent) => {
    if (event.type === "done" || event.type === "usage") return { type: event.type };
    return event;
  };
  for await (const event of stream) events.push(strip(event));
  const result = await stream.result;
  const { text, reasoning, toolCalls, finishReason, usage } = result;
  return { events, text, reasoning, toolCalls, finishReason, usage, tokenChunks: result.metrics.tokenChunks };
}

describe("Responses bodies under any split (property)", () => {
  it("give the same events and result as the whole body in one read", async () => {
    const wholes = await Promise.all(BODIES.map((whole) => observe([whole])));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: BODIES.length - 1 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        async (which, cuts, asBuffer) => {
          const whole = BODIES[which] as Uint8Array;
          const pieces = splitAt(whole, cuts).map((piece) => (asBuffer ? Buffer.from(piece) : piece));
          expect(await observe(pieces)).toEqual(wholes[which]);
        },
      ),
      { numRuns: 300 },
    );
    // The oracle itself is right: each body's whole read finished with its answer.
    for (const whole of wholes) expect(["stop", "tool_calls"]).toContain(whole.finishReason);
  });
});
