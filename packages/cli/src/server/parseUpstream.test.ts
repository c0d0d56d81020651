import { describe, expect, it } from "vitest";
import { parseUpstream } from "./parseUpstream.js";

describe("parseUpstream", () => {
  it("reads [name=][protocol+]URL and detects the protocol from the path", () => {
    expect(parseUpstream("http://127.0.0.1:8081/v1/")).toEqual({
      name: "127.0.0.1:8081",
      url: "http://127.0.0.1:8081/v1",
      protocol: "openai",
    });
    expect(parseUpstream("local=http://127.0.0.1:11434")).toEqual({
      name: "local",
      url: "http://127.0.0.1:11434",
      protocol: "ollama",
    });
    expect(parseUpstream("a=responses+http://h:1/v1").protocol).toBe("responses");
    expect(parseUpstream("openai+http://h:1").protocol).toBe("openai");
  });

  it("refuses what is not an http(s) URL, naming the value", () => {
    expect(() => parseUpstream("ftp://h/v1")).toThrow(/ftp:\/\/h\/v1/);
    expect(() => parseUpstream("nonsense")).toThrow(TypeError);
  });
});
