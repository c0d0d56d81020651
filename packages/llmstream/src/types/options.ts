import type { LlmstreamError } from "../errors/LlmstreamError.js";
import type { ChatResult } from "./result.js";
import type { Transport } from "./Transport.js";

/** A chat message in the OpenAI shape; extra fields are passed through untouched. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | (string & {});
  content: string | null | unknown[];
  [key: string]: unknown;
}

/**
 * The wire dialect: OpenAI chat completions over SSE (`/chat/completions`), Ollama's native
 * `/api/chat` NDJSON, or the OpenAI Responses API (`/responses`, typed SSE events), which OpenAI,
 * Ollama, vLLM and llama.cpp serve.
 */
export type Protocol = "openai" | "ollama" | "responses";

/** Timeouts in milliseconds. Each fires its own `TimeoutError` with a `kind`. Omit one to disable it. */
export interface Timeouts {
  /** From the request start until the TCP/TLS connection is up. @defaultValue 10000 */
  connectMs?: number;
  /** From the request start until the first token (content, reasoning or tool text). */
  firstTokenMs?: number;
  /** Longest gap between token-carrying chunks after the first token. */
  idleMs?: number;
  /** The whole request, start to end. */
  totalMs?: number;
}

/** Retries happen only before the first token has been delivered. */
export interface RetryOptions {
  /** How many times to retry after the first attempt. @defaultValue 2 */
  retries?: number;
  /** First backoff delay; doubles each attempt, with full jitter. @defaultValue 500 */
  baseDelayMs?: number;
  /** Cap for one backoff delay, and for an honoured `Retry-After`. @defaultValue 30000 */
  maxDelayMs?: number;
}

/** Everything known about one finished request, success, error or abort: given to `onFinish`. */
export interface FinishInfo {
  /** The result; on error it is the partial result, with `finishReason: "error"`. */
  result: ChatResult;
  /** Set when the request failed or was aborted (`code: "aborted"`). */
  error?: LlmstreamError;
  request: {
    url: string;
    protocol: Protocol | "engine";
    model: string;
    messages: ChatMessage[];
  };
}

/** Options of {@link streamChat}. */
export interface StreamChatOptions {
  /** The server's base URL, e.g. `http://localhost:11434/v1` (OpenAI, Responses) or `http://localhost:11434` (Ollama native). */
  baseURL: string;
  apiKey?: string;
  model: string;
  messages: ChatMessage[];
  /**
   * `"responses"` posts to `{baseURL}/responses`: leading system messages become `instructions`,
   * `maxTokens` becomes `max_output_tokens`; `stop` and `seed` have no Responses field and are not sent.
   * @defaultValue "openai"
   */
  protocol?: Protocol;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string | string[];
  topP?: number;
  /** Extra body fields, merged into the request body last (they win). */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeouts?: Timeouts;
  /** Retry options, or a number of retries. */
  retry?: RetryOptions | number;
  /**
   * Ask OpenAI-compatible servers for a final usage chunk (`stream_options.include_usage`). A server
   * that rejects it with HTTP 400 is asked again once without it, and `result.warnings` says so.
   * @defaultValue true
   */
  includeUsage?: boolean;
  /**
   * Inline `<think>…</think>` in the content: `"auto"` splits it out into reasoning;
   * `"start-in-thinking"` also treats everything before the first `</think>` as reasoning (models whose
   * template opens the think block in the prompt); `false` leaves the content untouched.
   * @defaultValue "auto"
   */
  thinkTags?: "auto" | "start-in-thinking" | false;
  /** Largest SSE line/event or NDJSON line, in characters. @defaultValue 8 MiB */
  maxLineLength?: number;
  /** Send the request with `stream: false` and emit the whole answer as one chunk. */
  stream?: boolean;
  /** How the HTTP request is made. Defaults to `node:http` in Node and `fetch` elsewhere. */
  transport?: Transport;
  /** Called once when the request finishes: success, error or abort. Exceptions are swallowed. */
  onFinish?: (info: FinishInfo) => void;
}
