import type { Protocol, StreamChatOptions, Timeouts, Transport } from "llmstream";
import { streamChat } from "llmstream";
import type { Send } from "./runLevel.js";
import { watchEndMarker } from "./watchEndMarker.js";

/** The wire protocols `bench` accepts. */
export type BenchProtocol = "openai" | "ollama" | "responses";

/** Options of {@link createHttpSender}. */
export interface HttpSenderOptions {
  baseURL: string;
  model: string;
  /** @defaultValue "openai" */
  protocol?: BenchProtocol;
  apiKey?: string;
  maxTokens?: number;
  /** Sends `ignore_eos: true` (vLLM, llama.cpp, SGLang), so every answer runs to `maxTokens`. */
  ignoreEos?: boolean;
  temperature?: number;
  headers?: Record<string, string>;
  timeouts?: Timeouts;
  /** The transport under the end-marker watch. @defaultValue Node's `node:http` transport */
  transport?: Transport;
}

/**
 * A sender for an HTTP server through `streamChat`: no retries (a retried request would hide a
 * failure and add its backoff to the latency), `stream_options.include_usage` on, so token counts come
 * from the server. The default transport is Node's keep-alive agent with no socket limit, shared by
 * every request, so connections are reused and never queue inside the client.
 */
export async function createHttpSender(options: HttpSenderOptions): Promise<Send> {
  const protocol = options.protocol ?? "openai";
  const base = options.transport ?? (await import("llmstream/node")).nodeTransport;
  const body: Record<string, unknown> = {};
  if (options.ignoreEos === true) body.ignore_eos = true;
  return ({ prompt, stream, signal }) => {
    // Only OpenAI SSE has an end marker the core does not insist on; the others end on their own terms.
    const watch = protocol === "openai" && stream ? watchEndMarker(base) : undefined;
    const maxTokens = prompt.maxTokens ?? options.maxTokens;
    const request: StreamChatOptions = {
      baseURL: options.baseURL,
      model: options.model,
      messages: prompt.messages,
      protocol: protocol as Protocol,
      stream,
      retry: 0,
      signal,
      transport: watch?.transport ?? base,
      body,
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    };
    const chat = streamChat(request);
    return watch === undefined ? { stream: chat } : { stream: chat, endMarkerSeen: watch.seen };
  };
}
