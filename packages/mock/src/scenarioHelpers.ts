import { createOpenAiFrames, type OpenAiFlavor, SSE_DONE, sseData } from "./openAiFrames.js";
import { readChatRequest } from "./readChatRequest.js";
import type { MockApi, ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";

/** Response headers of an SSE stream. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
};

/** A JSON response with a fixed body. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ScenarioResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    steps: [{ write: JSON.stringify(body) }],
  };
}

/**
 * Restricts a scenario to one API. On the other one it answers 400 with a message naming the right
 * endpoint, so a test that points at the wrong base URL fails loudly instead of passing by accident.
 */
export function onlyFor(
  api: MockApi,
  name: string,
  build: (context: ScenarioContext) => ScenarioResponse,
): (context: ScenarioContext) => ScenarioResponse {
  return (context) => {
    if (context.api === api) return build(context);
    const endpoint =
      api === "openai" ? "/v1/chat/completions" : api === "responses" ? "/v1/responses" : "/api/chat";
    const message = `The mock scenario "${name}" exists only for ${endpoint}; point the client at that API`;
    return context.api === "ollama"
      ? jsonResponse(400, { error: message })
      : jsonResponse(400, { error: { message, type: "invalid_request_error" } });
  };
}

/** Options of {@link deltaScript}. */
export interface DeltaScriptOptions {
  finishReason?: string;
  /** The first (role) delta. @defaultValue `{ role: "assistant", content: "" }` */
  roleDelta?: Record<string, unknown>;
  flavor?: OpenAiFlavor;
}

/**
 * An OpenAI stream from literal deltas: role chunk, one chunk per delta, finish chunk, usage chunk
 * when requested, `[DONE]`. For reasoning and tool-call scenarios whose deltas are not plain content.
 */
export function deltaScript(
  context: ScenarioContext,
  deltas: readonly Record<string, unknown>[],
  options: DeltaScriptOptions = {},
): ScenarioResponse {
  const info = readChatRequest(context.request, { ollama: false });
  const frames = createOpenAiFrames(info, {
    id: `chatcmpl-mock-${context.request.index}`,
    ...(options.flavor === undefined ? {} : { flavor: options.flavor }),
  });
  const steps: Step[] = [
    { write: sseData(frames.chunk(options.roleDelta ?? { role: "assistant", content: "" })) },
  ];
  for (const delta of deltas) steps.push({ write: sseData(frames.chunk(delta)) });
  steps.push({ write: sseData(frames.chunk({}, { finishReason: options.finishReason ?? "stop" })) });
  if (info.includeUsage) steps.push({ write: sseData(frames.usageChunk(deltas.length)) });
  steps.push({ write: SSE_DONE });
  return { headers: SSE_HEADERS, steps };
}

/** Rewrites every text `write` of a response (functions are resolved now). */
export function mapWrites(
  response: ScenarioResponse,
  map: (text: string, index: number) => string,
): ScenarioResponse {
  let index = 0;
  const steps = response.steps.map((step): Step => {
    if (!("write" in step)) return step;
    const data = typeof step.write === "function" ? step.write() : step.write;
    return { write: map(typeof data === "string" ? data : Buffer.from(data).toString("utf8"), index++) };
  });
  return { ...response, steps };
}

/** All bytes a response writes, concatenated (functions are resolved now). */
export function responseBytes(response: ScenarioResponse): Buffer {
  const parts: Buffer[] = [];
  for (const step of response.steps) {
    if (!("write" in step)) continue;
    const data = typeof step.write === "function" ? step.write() : step.write;
    parts.push(typeof data === "string" ? Buffer.from(data) : Buffer.from(data));
  }
  return Buffer.concat(parts);
}
