import type { DeltaSink } from "llmstream";
import { createChatStream, HttpError, ServerError } from "llmstream";
import type { Backend, GenerationHooks, GenerationOutcome } from "./Backend.js";
import type { GenerationRequest } from "./GenerationRequest.js";

/** One step of a scripted generation. */
export type ScriptStep =
  | { text: string }
  | { reasoning: string }
  | { tool: { id: string; name: string; arguments: string } }
  | { delayMs: number }
  | { finish: string }
  | { fail: "server" | "http-502" | "http-429" };

/**
 * A backend that plays a script through the real stream core (`createChatStream`), so the events,
 * results and errors are exactly what the engine and relay produce. `requests` records every call.
 */
export function scriptedBackend(script: ScriptStep[]): Backend & {
  requests: GenerationRequest[];
  aborted: number;
} {
  const state = { requests: [] as GenerationRequest[], aborted: 0 };
  return Object.assign(state, {
    kind: "engine" as const,
    modelName: (requested: string) => requested || "scripted",
    async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationOutcome> {
      state.requests.push(request);
      const stream = createChatStream({
        source: ({ sink, signal, onResponse }) => play(script, sink, signal, onResponse),
        request: {
          url: "engine:scripted",
          protocol: "engine",
          model: request.model,
          messages: request.messages,
        },
        signal: hooks.signal,
        retry: 0,
      });
      try {
        const result = await stream.forEach((event) => {
          if (event.type !== "error") hooks.onEvent(event);
        });
        if (result.finishReason === "aborted") state.aborted++;
        return { result };
      } catch (error) {
        return { result: (error as { partial?: undefined }).partial, error };
      }
    },
    models: async () => [{ id: "scripted", ownedBy: "test" }],
    health: () => ({ mode: "scripted" }),
    queueDepth: () => 0,
    inFlight: () => ({ scripted: 0 }),
    close: async () => {},
  });
}

async function* play(
  script: ScriptStep[],
  sink: DeltaSink,
  signal: AbortSignal,
  onResponse: () => void,
): AsyncGenerator<void> {
  onResponse();
  let finished = false;
  for (const step of script) {
    if ("delayMs" in step) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, step.delayMs);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      continue;
    }
    sink.chunk();
    if ("text" in step) sink.text(step.text, 1);
    else if ("reasoning" in step) sink.reasoning(step.reasoning, 1);
    else if ("tool" in step) sink.toolCall(step.tool);
    else if ("finish" in step) {
      sink.finish(step.finish);
      finished = true;
    } else if (step.fail === "server") throw new ServerError("The model crashed");
    else if (step.fail === "http-502") throw new HttpError("HTTP 502 from upstream", { status: 502 });
    else throw new HttpError("HTTP 429 from upstream", { status: 429, retryAfterMs: 3000 });
    yield;
  }
  if (finished) {
    sink.usage({ promptTokens: 3, completionTokens: 2, totalTokens: 5 }, "engine");
    sink.end();
  }
}
