import { ConnectionError } from "../errors/ConnectionError.js";
import type { TimeoutError } from "../errors/TimeoutError.js";
import { timeoutError } from "../stream/timeoutError.js";
import type { Transport, TransportRequest, TransportResponse } from "../types/Transport.js";

/**
 * The portable transport over WHATWG `fetch` and Web Streams: browsers, Deno, Bun, workers. Pass a
 * custom `fetch` for proxies or tests.
 */
export function createFetchTransport(fetchImpl: typeof fetch = globalThis.fetch): Transport {
  return async (request: TransportRequest): Promise<TransportResponse> => {
    const { signal } = request;
    const local = new AbortController();
    const onAbort = () => local.abort(signal.reason);
    if (signal.aborted) throw signal.reason;
    signal.addEventListener("abort", onAbort, { once: true });
    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: TimeoutError | undefined;
    if (request.connectTimeoutMs !== undefined) {
      const ms = request.connectTimeoutMs;
      connectTimer = setTimeout(() => {
        timedOut = timeoutError("connect", ms, request.url);
        local.abort(timedOut);
      }, ms);
    }
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: local.signal,
      });
    } catch (cause) {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) throw signal.reason;
      if (timedOut !== undefined) throw timedOut;
      throw new ConnectionError(`Could not connect to ${request.url}: ${(cause as Error).message}`, {
        url: request.url,
        cause,
      });
    } finally {
      clearTimeout(connectTimer);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const close = () => {
      local.abort(signal.reason);
      signal.removeEventListener("abort", onAbort);
    };
    const body: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        if (response.body === null) return;
        const reader = response.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } catch (cause) {
          if (signal.aborted) throw signal.reason;
          throw new ConnectionError(
            `The connection to ${request.url} failed mid-response; the text received is kept`,
            {
              url: request.url,
              cause,
            },
          );
        } finally {
          reader.cancel().catch(() => {});
          close();
        }
      },
    };
    return { status: response.status, headers, body, close };
  };
}
