import { describe, expect, it } from "vitest";
import {
  buildPrompt,
  defaultFirstTokenTimeoutSeconds,
  defaultIdleTimeoutSeconds,
  resolveChatOptions,
} from "./resolveChatOptions.js";
import { UsageError } from "./UsageError.js";

describe("resolveChatOptions", () => {
  it("uses the documented defaults with no options and no environment", () => {
    const settings = resolveChatOptions({}, {});
    expect(settings).toEqual({
      baseURL: "http://localhost:11434/v1",
      baseURLExplicit: false,
      protocol: "openai",
      model: "llama3",
      timeouts: {
        firstTokenMs: defaultFirstTokenTimeoutSeconds * 1000,
        idleMs: defaultIdleTimeoutSeconds * 1000,
      },
      json: false,
      stats: false,
      stream: true,
      interactive: false,
      hideReasoning: false,
      chunk: "token",
      smooth: false,
      log: true,
      logContent: true,
    });
  });

  it("prefers the flag, then LLMSTREAM_BASE_URL, then OPENAI_BASE_URL", () => {
    const env = { LLMSTREAM_BASE_URL: "http://a:1/v1", OPENAI_BASE_URL: "http://b:2/v1" };
    expect(resolveChatOptions({ baseUrl: "http://c:3/v1" }, env).baseURL).toBe("http://c:3/v1");
    expect(resolveChatOptions({}, env).baseURL).toBe("http://a:1/v1");
    expect(resolveChatOptions({}, { OPENAI_BASE_URL: "http://b:2/v1" })).toMatchObject({
      baseURL: "http://b:2/v1",
      baseURLExplicit: true,
    });
    expect(resolveChatOptions({}, { LLMSTREAM_BASE_URL: "  " }).baseURL).toBe("http://localhost:11434/v1");
  });

  it("reads OLLAMA_HOST the way Ollama does for the native protocol, and ignores OPENAI_BASE_URL there", () => {
    const ollama = (env: Record<string, string>) => resolveChatOptions({ protocol: "ollama" }, env).baseURL;
    expect(ollama({})).toBe("http://localhost:11434");
    expect(ollama({ OPENAI_BASE_URL: "http://b:2/v1" })).toBe("http://localhost:11434");
    expect(ollama({ OLLAMA_HOST: "127.0.0.1" })).toBe("http://127.0.0.1:11434");
    expect(ollama({ OLLAMA_HOST: "0.0.0.0:9999" })).toBe("http://0.0.0.0:9999");
    expect(ollama({ OLLAMA_HOST: "https://ollama.example.com" })).toBe("https://ollama.example.com");
    expect(
      resolveChatOptions({ protocol: "ollama", baseUrl: "http://x:1" }, { OLLAMA_HOST: "y" }).baseURL,
    ).toBe("http://x:1");
  });

  it("accepts --protocol responses with the OpenAI base URL rules (/v1, OPENAI_BASE_URL)", () => {
    const responses = (env: Record<string, string>) => resolveChatOptions({ protocol: "responses" }, env);
    expect(responses({})).toMatchObject({ protocol: "responses", baseURL: "http://localhost:11434/v1" });
    expect(responses({ OPENAI_BASE_URL: "http://b:2/v1" }).baseURL).toBe("http://b:2/v1");
    expect(responses({ OLLAMA_HOST: "127.0.0.1:9999" }).baseURL).toBe("http://127.0.0.1:9999/v1");
  });

  it("honours OLLAMA_HOST for the default OpenAI-compatible URL too (its /v1), after the explicit URLs", () => {
    expect(resolveChatOptions({}, { OLLAMA_HOST: "127.0.0.1:9999" })).toMatchObject({
      baseURL: "http://127.0.0.1:9999/v1",
      baseURLExplicit: true,
    });
    expect(resolveChatOptions({}, { OLLAMA_HOST: "https://ollama.example.com/" }).baseURL).toBe(
      "https://ollama.example.com/v1",
    );
    const both = { OLLAMA_HOST: "y", OPENAI_BASE_URL: "http://b:2/v1" };
    expect(resolveChatOptions({}, both).baseURL).toBe("http://b:2/v1");
    expect(resolveChatOptions({}, { ...both, LLMSTREAM_BASE_URL: "http://a:1/v1" }).baseURL).toBe(
      "http://a:1/v1",
    );
  });

  it("takes the model and key from the environment when no flag is given", () => {
    const env = { LLMSTREAM_MODEL: "qwen", OPENAI_API_KEY: "sk-1" };
    expect(resolveChatOptions({}, env)).toMatchObject({ model: "qwen", apiKey: "sk-1" });
    expect(resolveChatOptions({ model: "phi", apiKey: "sk-2" }, env)).toMatchObject({
      model: "phi",
      apiKey: "sk-2",
    });
  });

  it("converts decimal seconds to milliseconds and turns a timeout off with 0", () => {
    const settings = resolveChatOptions({ firstTokenTimeout: "0.25", idleTimeout: "0", timeout: "1.5" }, {});
    expect(settings.timeouts).toEqual({ firstTokenMs: 250, totalMs: 1500 });
  });

  it("parses the sampling options and the retry count", () => {
    const settings = resolveChatOptions(
      { temperature: "0.7", maxTokens: "64", seed: "-3", retries: "0", system: "Be brief" },
      {},
    );
    expect(settings).toMatchObject({
      temperature: 0.7,
      maxTokens: 64,
      seed: -3,
      retries: 0,
      system: "Be brief",
    });
  });

  it("maps the boolean flags, --no-stream included", () => {
    const settings = resolveChatOptions(
      { json: true, stats: true, stream: false, interactive: true, hideReasoning: true },
      {},
    );
    expect(settings).toMatchObject({
      json: true,
      stats: true,
      stream: false,
      interactive: true,
      hideReasoning: true,
    });
  });

  it.each([
    [{ protocol: "grpc" }, /--protocol must be "openai", "ollama" or "responses", got "grpc"/],
    [{ baseUrl: "localhost:11434" }, /--base-url must be an http\(s\) URL/],
    [{ baseUrl: "not a url" }, /--base-url must be an http\(s\) URL/],
    [{ temperature: "hot" }, /--temperature must be a number ≥ 0, got "hot"/],
    [{ temperature: "-1" }, /--temperature must be a number/],
    [{ maxTokens: "0" }, /--max-tokens must be a whole number ≥ 1, got "0"/],
    [{ maxTokens: "1.5" }, /--max-tokens/],
    [{ seed: "abc" }, /--seed must be a whole number/],
    [{ firstTokenTimeout: "soon" }, /--first-token-timeout must be a number ≥ 0 \(seconds; 0 turns it off\)/],
    [{ idleTimeout: "-2" }, /--idle-timeout/],
    [{ timeout: "Infinity" }, /--timeout/],
    [{ timeout: "0x10" }, /--timeout/],
    [{ retries: "1.5" }, /--retries must be a whole number from 0 to 100/],
    [{ retries: "1000" }, /--retries/],
  ])("rejects %o with a usage error naming the option", (raw, message) => {
    expect(() => resolveChatOptions(raw, {})).toThrow(UsageError);
    expect(() => resolveChatOptions(raw, {})).toThrow(message);
  });

  it("reads the display, engine and log options", () => {
    const settings = resolveChatOptions(
      {
        chunk: "sentence",
        smooth: true,
        render: "plain",
        modelFile: "m.gguf",
        threads: "2",
        log: false,
        logContent: false,
        logFile: "x.jsonl",
      },
      {},
    );
    expect(settings).toMatchObject({
      chunk: "sentence",
      smooth: true,
      render: "plain",
      modelFile: "m.gguf",
      threads: 2,
      log: false,
      logContent: false,
      logFile: "x.jsonl",
    });
  });

  it("uses LLMSTREAM_MODEL_FILE only when no server URL was configured", () => {
    const env = { LLMSTREAM_MODEL_FILE: "env.gguf" };
    expect(resolveChatOptions({}, env).modelFile).toBe("env.gguf");
    expect(resolveChatOptions({ baseUrl: "http://x:1/v1" }, env).modelFile).toBeUndefined();
    expect(resolveChatOptions({}, { ...env, OPENAI_BASE_URL: "http://x:1/v1" }).modelFile).toBeUndefined();
    expect(resolveChatOptions({ modelFile: "flag.gguf" }, env).modelFile).toBe("flag.gguf");
  });

  it("refuses --model-file with --base-url", () => {
    expect(() => resolveChatOptions({ modelFile: "m.gguf", baseUrl: "http://x:1/v1" }, {})).toThrow(
      /--model-file runs the embedded engine and --base-url names a server/,
    );
  });

  it("rejects a bad URL in the environment, naming the variable", () => {
    expect(() => resolveChatOptions({}, { OPENAI_BASE_URL: "ftp://x" })).toThrow(/OPENAI_BASE_URL must be/);
  });
});

describe("buildPrompt", () => {
  it("joins the arguments with spaces", () => {
    expect(buildPrompt(["Why", "is the sky", "blue?"], undefined)).toBe("Why is the sky blue?");
  });

  it("puts the piped text first and the arguments (the instruction) after a blank line", () => {
    expect(buildPrompt(["Summarise", "this"], "line one\nline two\n")).toBe(
      "line one\nline two\n\nSummarise this",
    );
  });

  it("uses the piped text alone, keeping its leading indentation", () => {
    expect(buildPrompt([], "  indented code\n\n")).toBe("  indented code");
  });

  it("refuses an empty prompt", () => {
    expect(() => buildPrompt([], undefined)).toThrow(UsageError);
    expect(() => buildPrompt(["  "], " \n")).toThrow(/No prompt/);
  });
});
