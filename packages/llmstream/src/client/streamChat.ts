import { HttpError } from "../errors/HttpError.js";
import { serverMessageFromBody } from "../protocols/serverErrorMessage.js";
import type { ChatStream } from "../stream/ChatStream.js";
import { createChatStream } from "../stream/createChatStream.js";
import type { DeltaReader, DeltaSourceContext } from "../stream/DeltaSource.js";
import { parseRetryAfter } from "../stream/retryDelay.js";
import type { StreamChatOptions } from "../types/options.js";
import type { Transport, TransportResponse } from "../types/Transport.js";
import { createResponseReader } from "./createResponseReader.js";
import { createFetchTransport } from "./fetchTransport.js";
import { readBounded } from "./readBounded.js";
import { responsesRequestBody, unsupportedResponsesOptions } from "./responsesRequestBody.js";

/** The default size limit of one SSE line/event or NDJSON line (characters). */
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;
/** Error bodies are read up to this many characters: enough for any real message. */
const MAX_ERROR_BODY = 64 * 1024;
/** @defaultValue connect timeout */
const DEFAULT_CONNECT_MS = 10_000;

/**
 * Streams one chat completion from an OpenAI-compatible server (SSE), Ollama's native API (NDJSON), or
 * the OpenAI Responses API (`protocol: "responses"`, typed SSE events from `POST {baseURL}/responses`).
 * Returns at once; the request starts when you iterate the stream or read `stream.result`.
 *
 * @example
 * ```ts
 * import { streamChat } from "llmstream";
 *
 * const stream = streamChat({
 *   baseURL: "http://localhost:11434/v1",
 *   model: "llama3",
 *   messages: [{ role: "user", content: "Why stream LLM output?" }],
 * });
 * for await (const event of stream) {
 *   if (event.type === "text") process.stdout.write(event.text);
 * }
 * const { usage, metrics } = await stream.result;
 * console.log(`\n${usage.completionTokens} tokens (${usage.source}), TTFT ${metrics.ttftMs} ms`);
 * ```
 */
export function streamChat(options: StreamChatOptions): ChatStream {
  const protocol = options.protocol ?? "openai";
  const url = endpointUrl(options.baseURL, protocol);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const streaming = options.stream !== false;
  const wantUsage = protocol === "openai" && streaming && options.includeUsage !== false;
  let usageRejected = false;
  let transport: Transport | undefined = options.transport;

  /** Sends the request (again without stream_options if the server rejects them) and checks the status. */
  async function open(context: DeltaSourceContext): Promise<TransportResponse> {
    transport ??= await defaultTransport();
    let response = await send(transport, context, !usageRejected && wantUsage);
    if (response.status === 400 && wantUsage && !usageRejected) {
      // Some servers reject stream_options; ask once more without it and count tokens ourselves.
      const error = await httpError(response);
      usageRejected = true;
      response = await send(transport, context, false);
      if (response.status >= 200 && response.status < 300) {
        context.sink.warning(
          `The server rejected stream_options.include_usage (HTTP 400: ${error.serverMessage ?? "no message"}); retried without it, so token counts come from the stream`,
        );
      }
    }
    if (response.status < 200 || response.status > 299) {
      try {
        throw await httpError(response);
      } finally {
        response.close();
      }
    }
    return response;
  }

  /** One attempt: the response is read lazily, one line per event the consumer asks for. */
  function source(context: DeltaSourceContext): DeltaReader {
    if (protocol === "responses") {
      for (const warning of unsupportedResponsesOptions(options)) context.sink.warning(warning);
    }
    return createResponseReader({
      open: () => open(context),
      onResponse: context.onResponse,
      sink: context.sink,
      protocol,
      streaming,
      url,
      maxLineLength,
    });
  }

  async function send(transport: Transport, context: DeltaSourceContext, includeUsage: boolean) {
    return transport({
      url,
      method: "POST",
      headers: requestHeaders(options, protocol, streaming),
      body: JSON.stringify(requestBody(options, protocol, streaming, includeUsage)),
      signal: context.signal,
      connectTimeoutMs: options.timeouts?.connectMs ?? DEFAULT_CONNECT_MS,
    });
  }

  async function httpError(response: TransportResponse): Promise<HttpError> {
    const text = await readBounded(response, MAX_ERROR_BODY);
    const serverMessage = serverMessageFromBody(text, response.headers["content-type"] ?? "");
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
    const status = response.status;
    return new HttpError(
      `HTTP ${status} from POST ${url}${serverMessage === undefined ? "" : `: ${serverMessage}`}. ${statusHint(status, options.model, protocol)}`,
      {
        url,
        status,
        ...(serverMessage === undefined ? {} : { serverMessage }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }

  const stream = createChatStream({
    source,
    request: { url, protocol, model: options.model, messages: options.messages },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.onFinish === undefined ? {} : { onFinish: options.onFinish }),
    thinkTags: options.thinkTags ?? "auto",
  });
  return stream;
}

/** Appends the endpoint path; tolerates a trailing slash or an already complete URL. */
export function endpointUrl(baseURL: string, protocol: string): string {
  const base = baseURL.replace(/\/+$/, "");
  if (protocol === "ollama")
    return base.endsWith("/api/chat") ? base : `${base.replace(/\/v1$/, "")}/api/chat`;
  if (protocol === "responses") return base.endsWith("/responses") ? base : `${base}/responses`;
  return base.endsWith("/chat/completions") ? base : `${base}/chat/completions`;
}

function requestHeaders(
  options: StreamChatOptions,
  protocol: string,
  streaming: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: streaming
      ? protocol === "ollama"
        ? "application/x-ndjson"
        : "text/event-stream"
      : "application/json",
  };
  if (options.apiKey !== undefined && options.apiKey !== "")
    headers.authorization = `Bearer ${options.apiKey}`;
  return options.headers === undefined ? headers : { ...headers, ...options.headers };
}

function requestBody(
  options: StreamChatOptions,
  protocol: string,
  streaming: boolean,
  includeUsage: boolean,
): Record<string, unknown> {
  if (protocol === "responses") return responsesRequestBody(options, streaming);
  if (protocol === "ollama") {
    const ollamaOptions: Record<string, unknown> = {};
    if (options.temperature !== undefined) ollamaOptions.temperature = options.temperature;
    if (options.maxTokens !== undefined) ollamaOptions.num_predict = options.maxTokens;
    if (options.seed !== undefined) ollamaOptions.seed = options.seed;
    if (options.topP !== undefined) ollamaOptions.top_p = options.topP;
    if (options.stop !== undefined)
      ollamaOptions.stop = Array.isArray(options.stop) ? options.stop : [options.stop];
    return {
      model: options.model,
      messages: options.messages,
      stream: streaming,
      ...(Object.keys(ollamaOptions).length > 0 ? { options: ollamaOptions } : {}),
      ...options.body,
    };
  }
  const body: Record<string, unknown> = {
    model: options.model,
    messages: options.messages,
    stream: streaming,
  };
  if (includeUsage) body.stream_options = { include_usage: true };
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.stop !== undefined) body.stop = options.stop;
  return options.body === undefined ? body : { ...body, ...options.body };
}

function statusHint(status: number, model: string, protocol: string): string {
  if (status === 401 || status === 403) return "Check the API key (apiKey)";
  if (status === 404 && protocol === "responses") {
    return `Check baseURL, that the model "${model}" exists, and that the server has /v1/responses (else use protocol: "openai")`;
  }
  if (status === 404) return `Check baseURL and that the model "${model}" exists on the server`;
  if (status === 429) return "The server is rate limiting: wait and try again, or raise retry.retries";
  if (status === 400 || status === 422) return "The server rejected the request: check the options sent";
  if (status >= 500) return "The server failed: check its logs, or try again";
  return "Check baseURL and protocol";
}

let nodeTransportPromise: Promise<Transport> | undefined;

/**
 * `node:http` in Node (much cheaper per chunk), `fetch` everywhere else, Deno and Bun included (they
 * set `process.versions.node` too, but their own `fetch` is native). `#nodeTransport` is a conditional
 * import (package.json `imports`): outside the `node` condition it is a stub, so a browser bundle
 * never contains `node:http`.
 */
function defaultTransport(): Promise<Transport> {
  const isNode =
    typeof process !== "undefined" &&
    typeof process.versions?.node === "string" &&
    !("Deno" in globalThis) &&
    !("Bun" in globalThis);
  if (!isNode) return Promise.resolve(createFetchTransport());
  nodeTransportPromise ??= import("#nodeTransport").then((m) => m.nodeTransport);
  return nodeTransportPromise;
}
