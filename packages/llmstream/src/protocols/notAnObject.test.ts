import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors/ProtocolError.js";
import { createResponsesHandler, handleResponsesObject } from "./createResponsesHandler.js";
import type { DeltaSink } from "./DeltaSink.js";
import { handleOllamaChunk } from "./handleOllamaChunk.js";
import { handleOpenAiChunk } from "./handleOpenAiChunk.js";

const calls: string[] = [];
const sink = new Proxy({} as DeltaSink, {
  get: (_, name) => () => calls.push(String(name)),
});

describe("chunk handlers given something other than an object", () => {
  it("throw an invalid-chunk ProtocolError and tell the sink nothing", () => {
    for (const value of [null, "text", 42, true]) {
      for (const handle of [
        (v: unknown) => handleOpenAiChunk(v, sink),
        (v: unknown) => handleOllamaChunk(v, sink),
        (v: unknown) => handleResponsesObject(v, sink),
        createResponsesHandler(sink),
      ]) {
        let thrown: unknown;
        try {
          handle(value);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(ProtocolError);
        expect((thrown as ProtocolError).reason).toBe("invalid-chunk");
        expect((thrown as ProtocolError).message).toMatch(
          /as a JSON object but got (null|a string|a number|a boolean)/,
        );
      }
    }
    expect(calls).toEqual([]);
  });

  it("read fields of the wrong type as absent instead of throwing a TypeError", () => {
    calls.length = 0;
    handleOpenAiChunk(
      { choices: [null, { delta: { content: "hi", tool_calls: [null, 3] } }], usage: 1 },
      sink,
    );
    handleOllamaChunk(
      { message: { content: "yo", tool_calls: [null, { function: "x" }] }, done: true, done_reason: 5 },
      sink,
    );
    expect(calls).toEqual(["chunk", "text", "chunk", "text", "toolCall", "finish", "timings", "end"]);
  });
});
