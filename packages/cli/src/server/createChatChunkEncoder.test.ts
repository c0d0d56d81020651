import fc from "fast-check";
import type { ChatResult, StreamEvent } from "llmstream";
import { createSseParser } from "llmstream/sse";
import { describe, expect, it } from "vitest";
import { llamaCppTimings } from "../../../llmstream/src/protocols/llamaCppTimings.js";
import { createChatChunkEncoder } from "./createChatChunkEncoder.js";

const done = (text: string): StreamEvent =>
  ({
    type: "done",
    text,
    reasoning: "",
    toolCalls: [],
    finishReason: "stop",
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, source: "server" },
    metrics: {} as ChatResult["metrics"],
    warnings: [],
  }) as StreamEvent;

describe("createChatChunkEncoder", () => {
  it("round-trips any text pieces through an SSE parser fed in any split", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", minLength: 1 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (pieces, cuts) => {
          const encoder = createChatChunkEncoder({
            id: "c",
            created: 1,
            model: "m\u2028",
            includeUsage: true,
          });
          const wire = [encoder.start(), ...pieces.map((text) => encoder.event({ type: "text", text }))]
            .concat(encoder.event(done(pieces.join(""))))
            .join("");
          const data: string[] = [];
          const parser = createSseParser({ onEvent: (event) => data.push(event.data) });
          const points = [...new Set(cuts.map((cut) => cut % (wire.length + 1)))].sort((a, b) => a - b);
          let from = 0;
          for (const point of [...points, wire.length]) {
            parser.feed(wire.slice(from, point));
            from = point;
          }
          expect(data.at(-1)).toBe("[DONE]");
          const chunks = data
            .slice(0, -1)
            .map((text) => JSON.parse(text) as { choices: { delta?: { content?: string } }[] });
          expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("")).toBe(
            pieces.join(""),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("hands the upstream's server timings on as llama.cpp `timings` on the finish chunk, and none when there are none", () => {
    const serverTimings = {
      promptTokens: 12,
      promptMs: 3.5,
      promptTokensPerSecond: 3428.6,
      completionTokens: 20,
      completionMs: 80,
      completionTokensPerSecond: 250,
      cachedTokens: 4,
      totalMs: 83.5,
    };
    const finishChunks = (event: StreamEvent, includeUsage: boolean) => {
      const encoder = createChatChunkEncoder({ id: "c", created: 1, model: "m", includeUsage });
      return encoder
        .event(event)
        .split("\n\n")
        .filter((line) => line.startsWith("data: {"))
        .map((line) => JSON.parse(line.slice(6)) as { timings?: Record<string, number>; usage?: unknown });
    };
    for (const includeUsage of [false, true]) {
      const [finish, ...rest] = finishChunks({ ...done("x"), serverTimings } as StreamEvent, includeUsage);
      // What a client reads back is what the upstream sent.
      expect(llamaCppTimings(finish?.timings ?? {})).toEqual(serverTimings);
      expect(rest).toHaveLength(includeUsage ? 1 : 0);
      expect(finishChunks(done("x"), includeUsage)[0]).not.toHaveProperty("timings");
    }
  });
});

describe("createChatChunkEncoder: content chunks", () => {
  for (const includeUsage of [false, true]) {
    it(`have the finish chunk's exact shape and key order${includeUsage ? " (usage: null with include_usage)" : ""}`, () => {
      const encoder = createChatChunkEncoder({ id: "chatcmpl-1", created: 7, model: "m", includeUsage });
      const text = encoder.event({ type: "text", text: 'a "quoted"\nline' } as never);
      const reasoning = encoder.event({ type: "reasoning", text: "hm" } as never);
      const role = encoder.start();
      for (const [chunk, delta] of [
        [text, { content: 'a "quoted"\nline' }],
        [reasoning, { reasoning_content: "hm" }],
        [role, { role: "assistant", content: "" }],
      ] as const) {
        expect(chunk.startsWith("data: ")).toBe(true);
        expect(chunk.endsWith("}\n\n")).toBe(true);
        const json = JSON.parse(chunk.slice(6));
        expect(Object.keys(json)).toEqual([
          "id",
          "object",
          "created",
          "model",
          "system_fingerprint",
          "choices",
          ...(includeUsage ? ["usage"] : []),
        ]);
        expect(json.choices).toEqual([{ index: 0, delta, logprobs: null, finish_reason: null }]);
        if (includeUsage) expect(json.usage).toBeNull();
        // The fast path and the generic one write the same bytes around the delta.
        expect(chunk.replace(/"delta":\{.*\},"logprobs"/, "")).toBe(
          role.replace(/"delta":\{.*\},"logprobs"/, ""),
        );
      }
    });
  }
});
