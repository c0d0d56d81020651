import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { ServeApp } from "./createServeApp.js";
import { sseBodies } from "./SseBody.js";

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
  const controller = new AbortController();
  // "close" on the response fires when the client goes away before the end (or after it, harmlessly).
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("The client closed the connection"));
  });
  const method = req.method ?? "GET";
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const hostHeader = req.headers.host ?? host;
  // The body is read here into one buffer (a web stream over the socket costs ~1 ms a request):
  // at most maxBodyBytes + 1 bytes, so the app still answers 413 for a larger one.
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req, app.maxBodyBytes + 1);
  let request: Request;
  try {
    request = new Request(`http://${hostHeader}${req.url ?? "/"}`, {
      method,
      headers,
      signal: controller.signal,
      ...(body === undefined ? {} : { body: body as unknown as BodyInit }),
    });
  } catch {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: { message: "Bad request URL", type: "invalid_request_error", param: null, code: null },
      }),
    );
    return;
  }
  const response = await app.fetch(request);
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  const direct = sseBodies.get(response);
  if (direct !== undefined) {
    res.writeHead(response.status, outHeaders);
    // With events already waiting, the first write carries the headers in the same packet;
    // otherwise (a slow first token) the client gets the status line now.
    if (!direct.hasPending) res.flushHeaders();
    if (controller.signal.aborted) {
      direct.cancel();
      return;
    }
    controller.signal.addEventListener("abort", () => direct.cancel(), { once: true });
    direct.attach({ write: (text) => res.write(text), end: () => res.end() });
    return;
  }
  res.writeHead(response.status, outHeaders);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
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
