import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { ollamaLine } from "./ollamaFrames.js";
import { createOpenAiFrames, SSE_DONE, sseData } from "./openAiFrames.js";
import { numericHeader, readChatRequest } from "./readChatRequest.js";
import type { Scenario, ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";
import { jsonResponse, onlyFor, SSE_HEADERS } from "./scenarioHelpers.js";
import { tokenStream } from "./tokenStream.js";

const FIRST_TOKENS = MOCK_ANSWER_TOKENS.slice(0, 5);
const SERVER_ERROR = {
  message: "The server had an error while processing your request. Sorry about that!",
  type: "server_error",
  param: null,
  code: null,
};
const NGINX_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
  "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
const HUGE_LINE_BYTES = 16 * 1024 * 1024;
const HUGE_LINE_PIECE = new Uint8Array(64 * 1024).fill(0x61);

/** An error body in the shape of the request's API (Ollama: `{"error": "text"}`). */
function apiError(
  context: ScenarioContext,
  status: number,
  message: string,
  headers?: Record<string, string>,
) {
  return context.api === "ollama"
    ? jsonResponse(status, { error: message }, headers)
    : jsonResponse(status, { error: { message, type: "server_error", param: null, code: null } }, headers);
}

/** A few tokens, then `tail` instead of a proper ending. */
function tokensThen(context: ScenarioContext, tail: string): ScenarioResponse {
  const partial = tokenStream(context, { tokens: FIRST_TOKENS, ending: "truncated" });
  return { ...partial, steps: [...partial.steps, { write: tail }] };
}

/** A single line far above any sane line limit, finished only after a long pause. */
function hugeLine(context: ScenarioContext): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: context.api === "ollama" });
  const total = numericHeader(context.request, "x-mock-bytes") ?? HUGE_LINE_BYTES;
  const steps: Step[] = [];
  if (context.api === "ollama") {
    steps.push({ write: `{"model":${JSON.stringify(info.model)},"message":{"role":"assistant","content":"` });
  } else {
    const frames = createOpenAiFrames(info, { id: `chatcmpl-mock-${context.request.index}` });
    steps.push({ write: sseData(frames.chunk({ role: "assistant", content: "" })) });
    steps.push({
      write: 'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"',
    });
  }
  for (let sent = 0; sent < total; sent += HUGE_LINE_PIECE.byteLength) {
    steps.push({ write: HUGE_LINE_PIECE.subarray(0, Math.min(HUGE_LINE_PIECE.byteLength, total - sent)) });
  }
  steps.push({ delay: 10_000 });
  steps.push(
    context.api === "ollama"
      ? { write: '"},"done":false}\n' }
      : { write: `"},"finish_reason":null}]}\n\n${SSE_DONE}` },
  );
  return {
    headers: context.api === "ollama" ? { "content-type": "application/x-ndjson" } : SSE_HEADERS,
    steps,
  };
}

/** Mid-stream errors, HTTP failures, dropped connections and timing faults. */
export const faultScenarios: Record<string, Scenario> = {
  "no-done": (context) => tokenStream(context, { ending: "no-done" }),
  truncated: (context) => tokenStream(context, { tokens: FIRST_TOKENS, ending: "truncated" }),
  reset: (context) => tokenStream(context, { tokens: FIRST_TOKENS, ending: "reset" }),
  "error-object": onlyFor("openai", "error-object", (context) =>
    tokensThen(context, sseData({ error: SERVER_ERROR })),
  ),
  "event-error": onlyFor("openai", "event-error", (context) =>
    tokensThen(
      context,
      `event: error\n${sseData({ error: { message: SERVER_ERROR.message, type: "server_error" } })}`,
    ),
  ),
  "http-500-json": (context) => apiError(context, 500, "Internal server error"),
  "http-404-ollama": (context) => {
    const { model } = readChatRequest(context.request, { ollama: true });
    return jsonResponse(404, { error: `model "${model}" not found, try pulling it first` });
  },
  "http-502-html": {
    status: 502,
    headers: { "content-type": "text/html", server: "nginx/1.24.0" },
    steps: [{ write: NGINX_502 }],
  },
  "http-429": (context) =>
    context.attempt === 0
      ? apiError(context, 429, "Rate limit reached for requests. Please try again in 1s.", {
          "retry-after": "1",
        })
      : tokenStream(context),
  "http-503-once": (context) =>
    context.attempt === 0
      ? apiError(context, 503, "The server is overloaded or not ready yet.")
      : tokenStream(context),
  "reset-before-headers-once": (context) =>
    context.attempt === 0 ? { steps: [{ destroy: true }] } : tokenStream(context),
  "slow-first-token": (context) =>
    tokenStream(context, { firstTokenDelayMs: numericHeader(context.request, "x-mock-delay-ms") ?? 2000 }),
  stall: (context) => tokenStream(context, { tokens: FIRST_TOKENS, ending: "stall" }),
  slow: (context) =>
    tokenStream(context, { intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 100 }),
  "non-stream-json": onlyFor("openai", "non-stream-json", (context) => {
    const info = readChatRequest(context.request, { ollama: false });
    const frames = createOpenAiFrames(info, { id: `chatcmpl-mock-${context.request.index}` });
    const content = MOCK_ANSWER_TOKENS.join("");
    const body = frames.completion(
      { role: "assistant", content, refusal: null },
      "stop",
      MOCK_ANSWER_TOKENS.length,
    );
    return jsonResponse(200, body);
  }),
  "huge-line": hugeLine,
  "invalid-json": (context) => {
    if (context.api === "ollama") {
      const info = readChatRequest(context.request, { ollama: true });
      return {
        headers: { "content-type": "application/x-ndjson" },
        steps: [{ write: ollamaLine(info, { content: "Hello" }) }, { write: "{not json\n" }],
      };
    }
    return tokensThen(context, `data: {not json\n\n${SSE_DONE}`);
  },
  "wrong-content-type": { headers: { "content-type": "text/plain" }, steps: [{ write: "hello" }] },
};
