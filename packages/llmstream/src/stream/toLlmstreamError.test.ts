import { describe, expect, it } from "vitest";
import { HttpError } from "../errors/HttpError.js";
import { isLlmstreamError } from "../errors/LlmstreamError.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import { TimeoutError } from "../errors/TimeoutError.js";
import { ResponseAccumulator } from "./ResponseAccumulator.js";
import {
  callerAbortError,
  consumerStoppedError,
  failureEvent,
  toLlmstreamError,
  truncatedError,
} from "./toLlmstreamError.js";

const url = "http://127.0.0.1:1/v1/chat/completions";

/** What a transport's socket throws: an Error with a Node system `code`. */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("toLlmstreamError", () => {
  it("keeps an llmstream error as it is", () => {
    const http = new HttpError("HTTP 503", { url, status: 503 });
    expect(toLlmstreamError(http, url)).toBe(http);
    const timeout = new TimeoutError("idle", 100, "no token", { url });
    expect(toLlmstreamError(timeout, url)).toBe(timeout);
  });

  it("turns a Node system error into a connection error that names the code and keeps the cause", () => {
    const reset = systemError("ECONNRESET", "socket hang up");
    const error = toLlmstreamError(reset, url);
    expect(error.name).toBe("ConnectionError");
    expect(error.code).toBe("connection");
    expect(error.url).toBe(url);
    expect(error.cause).toBe(reset);
    expect(error.message).toBe(`Connection to ${url} failed (ECONNRESET): socket hang up`);
  });

  it("turns anything else into a protocol error, so a bare TypeError never escapes", () => {
    const bug = new TypeError("Cannot read properties of undefined");
    const error = toLlmstreamError(bug, url);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe("invalid-chunk");
    expect(error.cause).toBe(bug);
    expect(error.message).toBe(
      `Could not read the response from ${url}: Cannot read properties of undefined`,
    );
    // A code that is not a system error code, and values that are not errors at all.
    expect(toLlmstreamError(systemError("ERR_INVALID_STATE", "x"), url).code).toBe("protocol");
    expect(toLlmstreamError("boom", url).message).toBe(`Could not read the response from ${url}: boom`);
    expect(toLlmstreamError(null, url).code).toBe("protocol");
    expect(toLlmstreamError(undefined, url).code).toBe("protocol");
  });
});

describe("the errors a stream ends with", () => {
  it("a caller's abort keeps an llmstream reason, and wraps any other as aborted", () => {
    const timeout = new TimeoutError("total", 10, "too long", { url });
    expect(callerAbortError(timeout, url)).toBe(timeout);
    const reason = new DOMException("This operation was aborted", "AbortError");
    const error = callerAbortError(reason, url);
    expect(error.code).toBe("aborted");
    expect(error.name).toBe("AbortedError");
    expect(error.cause).toBe(reason);
    expect(error.message).toBe("The request was aborted by the caller");
    expect(callerAbortError(undefined, url).code).toBe("aborted");
  });

  it("a consumer that stopped reading, and an input that ended early", () => {
    const stopped = consumerStoppedError(url);
    expect([stopped.code, stopped.url, stopped.message]).toEqual([
      "aborted",
      url,
      "The consumer stopped reading the stream",
    ]);
    const truncated = truncatedError(url);
    expect([truncated.code, truncated.url]).toEqual(["truncated", url]);
    expect(truncated.message).toContain(
      `The stream from ${url} ended before the server said it was finished`,
    );
    expect(isLlmstreamError(truncated)).toBe(true);
  });

  it("failureEvent gives the error what arrived before it, and reports the status when there is one", () => {
    const acc = new ResponseAccumulator({
      now: () => performance.now(),
      thinkTags: "auto",
      promptChars: 2,
      model: "m",
    });
    acc.chunk();
    acc.text("Once upon", 1);
    acc.flush();
    const partial = acc.result("error");
    const http = new HttpError("HTTP 502", { url, status: 502 });
    expect(failureEvent(http, partial)).toEqual({
      type: "error",
      code: "http",
      message: "HTTP 502",
      status: 502,
      error: http,
    });
    expect(http.partial).toBe(partial);
    expect(http.partial?.text).toBe("Once upon");
    const truncated = truncatedError(url);
    const event = failureEvent(truncated, partial);
    expect(event).toEqual({ type: "error", code: "truncated", message: truncated.message, error: truncated });
    expect("status" in event).toBe(false);
    expect(truncated.partial).toBe(partial);
  });
});
