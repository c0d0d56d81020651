import { describe, expect, it } from "vitest";
import { parseSlo } from "./parseSlo.js";

describe("parseSlo", () => {
  it("reads name=value pairs in ms or s, and vLLM's name:ms form", () => {
    expect(parseSlo("ttft=500ms,tpot=50ms,e2e=10s")).toEqual({ ttftMs: 500, tpotMs: 50, e2eMs: 10_000 });
    expect(parseSlo("ttft:250, e2el:1.5s")).toEqual({ ttftMs: 250, e2eMs: 1500 });
  });

  it("names the bad part", () => {
    expect(() => parseSlo("ttft=fast")).toThrow(/Bad SLO "ttft=fast"/);
    expect(() => parseSlo("itl=5ms")).toThrow(RangeError);
  });
});
