import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ApiError, errorReply } from "./ApiError.js";
import type { AppReply, AppRequest } from "./AppRequest.js";
import { directRoutes } from "./AppRequest.js";
import type { ServeApp } from "./createServeApp.js";
import { jsonFromBytes } from "./readJsonBody.js";
import { sseBodies, sseHeaders } from "./SseBody.js";

/** Options of {@link serveNode}. */
export interface ServeNodeOptions {
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @defaultValue 8080 */
  port?: number;
}

/** A listening server. */
export interface NodeServer {
  server: Server;
  /** `http://host:port` as clients should use it. */
  url: string;
  port: number;
  /** Stops accepting connections (open streams keep running; see `ServeApp.shutdown`). */
  stopAccepting(): void;
  /** Destroys every socket and closes the server. */
  close(): Promise<void>;
}

/**
 * Serves `app` with node:http: Nagle off on every socket, no compression, each SSE event written to
 * the socket the moment the generation produces it (the adapter takes the body straight from the
 * app, not through a web stream), and a client that goes away aborts the request at once
 * (`request.signal`), which stops the engine or closes the upstream request.
 */
export async function serveNode(app: ServeApp, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(app, req, res, host);
  });
  server.on("connection", (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${port}`,
    port,
    stopAccepting: () => {
      server.close();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(app: ServeApp, req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
  // One controller for the whole request: the direct route lends it to the app (which may abort it
  // itself, on shutdown), so only `gone` says the client went away.
  const controller = new AbortController();
  let gone = false;
  let stopBody: (() => void) | undefined;
  // "close" on the response fires when the client goes away before the end (or after it, harmlessly).
  res.once("close", () => {
    if (res.writableFinished) return;
    gone = true;
    controller.abort(new Error("The client closed the connection"));
    stopBody?.();
  });
  const method = req.method ?? "GET";
  const hostHeader = req.headers.host ?? host;
  // The body is read here into one buffer (a web stream over the socket costs ~1 ms a request):
  // at most maxBodyBytes + 1 bytes, so the app still answers 413 for a larger one.
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req, app.maxBodyBytes + 1);
  const direct =
    method === "POST" && body !== undefined && plainHost.test(hostHeader)
      ? directRoutes.get(app.fetch)?.(req.url ?? "/", nodeRequest(req, hostHeader, body, controller))
      : undefined;
  let reply: AppReply | Response;
  if (direct !== undefined) reply = await direct;
  else {
    let request: Request | undefined;
    try {
      request = webRequest(req, hostHeader, method, body, controller.signal);
    } catch {
      // A URL or Host that `new Request` refuses.
    }
    reply =
      request === undefined ? errorReply(new ApiError(400, "Bad request URL")) : await app.fetch(request);
  }
  const sse =
    reply instanceof Response
      ? sseBodies.get(reply)
      : typeof reply.body === "string"
        ? undefined
        : reply.body;
  if (sse !== undefined) {
    res.writeHead(
      reply.status,
      reply instanceof Response ? headersOf(reply) : { ...sseHeaders, ...reply.headers },
    );
    // With events already waiting, the first write carries the headers in the same packet;
    // otherwise (a slow first token) the client gets the status line now.
    if (!sse.hasPending) res.flushHeaders();
    if (gone) {
      sse.cancel();
      return;
    }
    stopBody = () => sse.cancel();
    sse.attach({ write: (text) => res.write(text), end: () => res.end() });
    return;
  }
  if (!(reply instanceof Response)) {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    return;
  }
  res.writeHead(reply.status, headersOf(reply));
  if (reply.body === null) {
    res.end();
    return;
  }
  const reader = reply.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch {
    res.destroy();
  }
}

/** Host header values the direct path takes as they are; anything else goes through `new Request`. */
const plainHost = /^[A-Za-z0-9.:[\]-]+$/;

/** The request for the app's direct route: headers read from node's own object, no copies. */
function nodeRequest(
  req: IncomingMessage,
  host: string,
  body: Buffer,
  controller: AbortController,
): AppRequest {
  const header = (name: string): string | null => {
    const value = req.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  return {
    host,
    header,
    json: async (maxBytes, limitSetting) =>
      jsonFromBytes(header("content-length"), body, maxBytes, limitSetting),
    signal: controller.signal,
    controller,
  };
}

function webRequest(
  req: IncomingMessage,
  host: string,
  method: string,
  body: Buffer | undefined,
  signal: AbortSignal,
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return new Request(`http://${host}${req.url ?? "/"}`, {
    method,
    headers,
    signal,
    ...(body === undefined ? {} : { body: body as unknown as BodyInit }),
  });
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/** Reads the request body, stopping after `limit` bytes (the rest is left unread). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      resolve(Buffer.concat(parts));
    };
    const onData = (part: Buffer) => {
      parts.push(part);
      size += part.byteLength;
      if (size >= limit) {
        req.pause();
        done();
      }
    };
    req.on("data", onData);
    req.once("end", done);
    req.once("error", done);
  });
}
