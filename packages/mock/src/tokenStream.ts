import { MOCK_ANSWER_TOKENS } from "./mockAnswer.js";
import { ollamaFinal, ollamaLine } from "./ollamaFrames.js";
import { createOpenAiFrames, type OpenAiFlavor, SSE_DONE, SSE_PING, sseData } from "./openAiFrames.js";
import { readChatRequest } from "./readChatRequest.js";
import { responsesStream } from "./responsesStream.js";
import type { ScenarioContext, ScenarioResponse, Step } from "./Scenario.js";
import type { StreamEnding } from "./StreamEnding.js";

/** Options of {@link tokenStream}. */
export interface TokenStreamOptions {
  /** Content tokens; a function is called at send time. @defaultValue MOCK_ANSWER_TOKENS */
  tokens?: readonly (string | (() => string))[];
  /** Delay before every token after the first. @defaultValue 0 */
  intervalMs?: number;
  /** Delay before the first token, filled with keep-alive comments every 50 ms (OpenAI only). */
  firstTokenDelayMs?: number;
  /** Write `: ping` after every `pingEvery` tokens (OpenAI only); 0 disables. @defaultValue 0 */
  pingEvery?: number;
  /** Add an `obfuscation` field to every other content chunk, as OpenAI does. @defaultValue false */
  obfuscation?: boolean;
  /** @defaultValue "complete" */
  ending?: StreamEnding;
  /** Send the usage chunk even when `stream_options.include_usage` was not requested. */
  forceUsage?: boolean;
  /** Never send the usage chunk. */
  noUsage?: boolean;
  flavor?: OpenAiFlavor;
}

const KEEP_ALIVE_EVERY_MS = 50;

const resolveToken = (token: string | (() => string)): string =>
  typeof token === "function" ? token() : token;

/**
 * The workhorse of the built-in scenarios: streams tokens in the dialect of the request's API
 * (OpenAI SSE, Ollama NDJSON, or Responses events through {@link responsesStream}), honouring the
 * requested model, `stream`, `max_tokens` and `stream_options.include_usage`.
 */
export function tokenStream(context: ScenarioContext, options: TokenStreamOptions = {}): ScenarioResponse {
  if (context.api === "responses") {
    const { tokens, intervalMs, firstTokenDelayMs, pingEvery, ending, noUsage } = options;
    return responsesStream(context, {
      ...(tokens === undefined ? {} : { tokens }),
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(firstTokenDelayMs === undefined ? {} : { firstTokenDelayMs }),
      ...(pingEvery === undefined ? {} : { pingEvery }),
      ...(ending === undefined ? {} : { ending }),
      ...(noUsage === undefined ? {} : { noUsage }),
    });
  }
  const ollama = context.api === "ollama";
  const info = readChatRequest(context.request, { ollama });
  const allTokens = options.tokens ?? MOCK_ANSWER_TOKENS;
  const limited = info.maxTokens !== undefined && info.maxTokens < allTokens.length;
  const tokens = limited ? allTokens.slice(0, info.maxTokens) : allTokens;
  const finishReason = limited ? "length" : "stop";
  const ending = options.ending ?? "complete";
  const frames = createOpenAiFrames(info, {
    id: `chatcmpl-mock-${context.request.index}`,
    ...(options.flavor === undefined ? {} : { flavor: options.flavor }),
  });

  if (!info.stream) {
    const content = tokens.map(resolveToken).join("");
    const body = ollama
      ? ollamaFinal(info, { evalCount: tokens.length, doneReason: finishReason, message: { content } })
      : frames.completion({ role: "assistant", content, refusal: null }, finishReason, tokens.length);
    const text = JSON.stringify(body);
    const steps: Step[] =
      ending === "complete" || ending === "no-done"
        ? [{ write: text }]
        : ending === "reset"
          ? [{ write: text.slice(0, text.length >> 1) }, { destroy: true }]
          : [{ write: text.slice(0, text.length >> 1) }];
    return { headers: { "content-type": "application/json" }, steps };
  }

  const steps: Step[] = [];
  const ping = ollama ? "" : SSE_PING;
  if (options.firstTokenDelayMs !== undefined && options.firstTokenDelayMs > 0) {
    steps.push({
      keepAlive: { everyMs: KEEP_ALIVE_EVERY_MS, write: ping, forMs: options.firstTokenDelayMs },
    });
  }
  if (!ollama) steps.push({ write: sseData(frames.chunk({ role: "assistant", content: "" })) });
  tokens.forEach((token, index) => {
    if (index > 0 && options.intervalMs !== undefined && options.intervalMs > 0) {
      steps.push({ delay: options.intervalMs });
    }
    if (ollama) {
      steps.push({ write: () => ollamaLine(info, { content: resolveToken(token) }) });
    } else {
      const extra =
        options.obfuscation && index % 2 === 1 ? { obfuscation: "x".repeat(1 + (index % 7)) } : {};
      steps.push({ write: () => sseData(frames.chunk({ content: resolveToken(token) }, { extra })) });
      if (options.pingEvery !== undefined && options.pingEvery > 0 && (index + 1) % options.pingEvery === 0) {
        steps.push({ write: SSE_PING });
      }
    }
  });

  switch (ending) {
    case "truncated":
      break;
    case "reset":
      // A RST makes the peer drop unread bytes; the pause lets the partial answer be read first.
      steps.push({ delay: 50 }, { destroy: true });
      break;
    case "stall":
      steps.push({ keepAlive: { everyMs: KEEP_ALIVE_EVERY_MS, write: ping } });
      break;
    case "no-done":
    case "complete":
      if (ollama) {
        if (ending === "complete") {
          steps.push({
            write: `${JSON.stringify(ollamaFinal(info, { evalCount: tokens.length, doneReason: finishReason }))}\n`,
          });
        }
        break;
      }
      steps.push({ write: sseData(frames.chunk({ content: null }, { finishReason })) });
      if (ending === "complete") {
        if ((info.includeUsage || options.forceUsage) && !options.noUsage) {
          steps.push({ write: sseData(frames.usageChunk(tokens.length)) });
        }
        steps.push({ write: SSE_DONE });
      }
      break;
  }
  return {
    headers: ollama
      ? { "content-type": "application/x-ndjson" }
      : { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" },
    steps,
  };
}
