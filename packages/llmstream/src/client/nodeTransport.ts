import http from "node:http";
import https from "node:https";
import { urlToHttpOptions } from "node:url";
import { ConnectionError } from "../errors/ConnectionError.js";
import { ProtocolError } from "../errors/ProtocolError.js";
import { TimeoutError } from "../errors/TimeoutError.js";
import { timeoutError } from "../stream/timeoutError.js";
import type { BodyPushAccess, Transport, TransportRequest, TransportResponse } from "../types/Transport.js";

// Keep-alive agents: a warm connection saves a TCP handshake on every request after the first.
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/**
 * The Node transport: `node:http`/`node:https` directly (WHATWG fetch costs ~2.7× per chunk here).
 * The body is handed on as the socket's own Buffers, undecoded: the reader decodes line by line.
 */
export const nodeTransport: Transport = (request: TransportRequest) => send(request, true);

/** Errors that mean a kept-alive socket was closed by the server just as we reused it. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE"]);

function send(request: TransportRequest, mayRetryStaleSocket: boolean): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const { signal } = request;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let target: Target;
    try {
      target = targetOf(request.url);
    } catch (cause) {
      reject(
        new ConnectionError(`Invalid URL ${request.url}: give a full URL like http://localhost:11434/v1`, {
          cause,
        }),
      );
      return;
    }
    const { secure } = target;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
    const req = (secure ? https : http).request({
      ...target.options,
      method: request.method,
      headers,
      agent: secure ? httpsAgent : httpAgent,
    });
    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    let responded = false;
    const onAbort = () => req.destroy(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(connectTimer);
      signal.removeEventListener("abort", onAbort);
    };

    if (request.connectTimeoutMs !== undefined) {
      const ms = request.connectTimeoutMs;
      // Only a new connection gets a timer (the agent hands a socket over on the next tick): a reused
      // keep-alive socket, the common case, is connected already.
      req.once("socket", (socket) => {
        if (!socket.connecting || responded) return;
        connectTimer = setTimeout(() => {
          req.destroy(timeoutError("connect", ms, request.url));
        }, ms);
        socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
      });
    }

    req.on("error", (error: Error & { code?: string }) => {
      cleanup();
      if (signal.aborted) reject(signal.reason);
      else if (error instanceof TimeoutError) reject(error);
      else if (error.code?.startsWith("HPE_")) reject(notHttpError(error, request.url));
      else if (
        mayRetryStaleSocket &&
        !responded &&
        req.reusedSocket &&
        STALE_SOCKET_CODES.has(error.code ?? "")
      ) {
        // The server closed an idle keep-alive socket as we sent on it (a race every keep-alive client
        // has): nothing was processed, so send once more on a fresh connection. A reset after the
        // response began is the server failing mid-answer: the body reports it, and nothing is resent.
        send(request, false).then(resolve, reject);
      } else reject(connectionError(error, request.url));
    });

    req.on("response", (res) => {
      responded = true;
      clearTimeout(connectTimer);
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        // Destroying the socket (not just the response) is what tells the server to stop generating.
        res.destroy();
        req.destroy();
      };
      res.on("end", cleanup);
      const body = responseBody(res, request.url, signal, close);
      resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body, close });
    });

    req.end(request.body);
  });
}

/** A parsed request target (parsing a URL per request costs more than the rest of the options). */
interface Target {
  secure: boolean;
  options: http.RequestOptions;
}

const targets = new Map<string, Target>();
/** Distinct URLs remembered; a client talks to a few. */
const MAX_TARGETS = 64;

function targetOf(url: string): Target {
  const known = targets.get(url);
  if (known !== undefined) return known;
  const parsed = new URL(url);
  const target = { secure: parsed.protocol === "https:", options: urlToHttpOptions(parsed) };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/** Chunks queued before the socket is paused: bounds memory when the consumer is slower than the network. */
const HIGH_WATER_CHUNKS = 16;

/**
 * The body as an async iterable over `data` events. Node's own `Readable` async iterator costs
 * several extra ticks per read (it goes through `readable` events and `read()`); this hands each
 * chunk to a waiting `next()` directly, offers the synchronous {@link BodyPushAccess}, and pauses
 * the socket when the consumer falls behind.
 */
function responseBody(
  res: http.IncomingMessage,
  url: string,
  signal: AbortSignal,
  close: () => void,
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> & BodyPushAccess {
      const queue: Uint8Array[] = [];
      let ended = false;
      let failure: unknown;
      let waiting:
        | { resolve: (step: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void }
        | undefined;
      let wake: (() => void) | undefined;
      const settle = () => {
        if (wake !== undefined) {
          const woken = wake;
          wake = undefined;
          woken();
        }
        const waiter = waiting;
        if (waiter === undefined) return;
        if (queue.length > 0) {
          waiting = undefined;
          waiter.resolve({ done: false, value: take() as Uint8Array });
        } else if (failure !== undefined) {
          waiting = undefined;
          close();
          waiter.reject(failure);
        } else if (ended) {
          waiting = undefined;
          close();
          waiter.resolve({ done: true, value: undefined });
        }
      };
      const take = (): Uint8Array | undefined => {
        const chunk = queue.shift();
        if (res.isPaused() && queue.length < HIGH_WATER_CHUNKS / 2) res.resume();
        return chunk;
      };
      const fail = (error?: unknown) => {
        if (ended || failure !== undefined) return;
        failure = signal.aborted ? signal.reason : resetError(url, error);
        settle();
      };
      res.on("data", (chunk: Buffer) => {
        queue.push(chunk);
        if (queue.length >= HIGH_WATER_CHUNKS) res.pause();
        settle();
      });
      res.on("end", () => {
        ended = true;
        settle();
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail();
        else if (!ended) {
          ended = true;
          settle();
        }
      });
      return {
        next(): Promise<IteratorResult<Uint8Array>> {
          if (queue.length > 0) return Promise.resolve({ done: false, value: take() as Uint8Array });
          return new Promise((resolve, reject) => {
            waiting = { resolve, reject };
            if (failure !== undefined || ended) settle();
            else if (res.isPaused()) res.resume();
          });
        },
        take,
        wait(onArrival) {
          if (queue.length > 0 || ended || failure !== undefined) return false;
          wake = onArrival;
          if (res.isPaused()) res.resume();
          return true;
        },
        return(): Promise<IteratorResult<Uint8Array>> {
          close();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

function resetError(url: string, cause?: unknown): ConnectionError {
  return new ConnectionError(`The connection to ${url} was reset mid-response; the text received is kept`, {
    url,
    ...(cause === undefined ? {} : { cause }),
  });
}

const HINTS: Record<string, string> = {
  "11434": "Is Ollama running? Start it with `ollama serve`",
  "8080": "Is llama.cpp's server running? Start it with `llama-server -m model.gguf`",
  "1234": "Is LM Studio's server running? Start it from the Developer tab",
  "8000": "Is vLLM running? Start it with `vllm serve <model>`",
};

/**
 * Node's HTTP parser failed on the first bytes: the port answered, but not in HTTP. A protocol
 * error, not a connection error, so it is not retried: the next attempt would meet the same server.
 */
function notHttpError(error: Error & { code?: string }, url: string): ProtocolError {
  let where = url;
  try {
    where = new URL(url).host;
  } catch {}
  return new ProtocolError(
    "not-http",
    `The server at ${where} did not speak HTTP (${error.code}: ${error.message}); check the port in baseURL`,
    { url, cause: error },
  );
}

/** A connection failure, with what to do about it. */
export function connectionError(error: Error & { code?: string }, url: string): ConnectionError {
  let port = "";
  let host = url;
  try {
    const parsed = new URL(url);
    port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    host = parsed.host;
  } catch {
    // Keep the raw URL in the message.
  }
  const code = error.code ?? "";
  if (code === "EPROTO" || code.startsWith("ERR_SSL")) {
    return new ConnectionError(
      `Could not connect to ${host} (TLS handshake failed). If the server speaks plain HTTP, use http:// in baseURL`,
      { url, cause: error },
    );
  }
  const reason =
    code === "ECONNREFUSED"
      ? "connection refused"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "host not found"
        : code === "ECONNRESET"
          ? "connection reset"
          : error.message;
  const hint =
    code === "ECONNREFUSED"
      ? (HINTS[port] ?? "Is the server running, and is baseURL right?")
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "Check the host name in baseURL"
        : "Check that the server is up and reachable";
  return new ConnectionError(`Could not connect to ${host} (${reason}). ${hint}`, { url, cause: error });
}
