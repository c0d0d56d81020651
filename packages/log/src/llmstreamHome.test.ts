import { describe, expect, it } from "vitest";
import { defaultLogPath, llmstreamHome } from "./llmstreamHome.js";

describe("llmstreamHome", () => {
  it("uses LLMSTREAM_HOME over everything", () => {
    expect(
      llmstreamHome({ env: { LLMSTREAM_HOME: "/data/ls", XDG_DATA_HOME: "/x" }, platform: "linux" }),
    ).toBe("/data/ls");
    expect(defaultLogPath({ env: { LLMSTREAM_HOME: "/data/ls" } })).toBe("/data/ls/logs.db");
  });

  it("follows each platform's data folder", () => {
    const homedir = "/home/me";
    expect(llmstreamHome({ env: {}, platform: "linux", homedir })).toBe("/home/me/.local/share/llmstream");
    expect(llmstreamHome({ env: { XDG_DATA_HOME: "/xdg" }, platform: "linux", homedir })).toBe(
      "/xdg/llmstream",
    );
    expect(llmstreamHome({ env: {}, platform: "darwin", homedir })).toBe(
      "/home/me/Library/Application Support/llmstream",
    );
    expect(llmstreamHome({ env: { APPDATA: "/appdata" }, platform: "win32", homedir })).toBe(
      "/appdata/llmstream",
    );
    expect(llmstreamHome({ env: {}, platform: "win32", homedir })).toBe("/home/me/AppData/Roaming/llmstream");
  });
});
