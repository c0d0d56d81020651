import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { createMockServer, type MockServer } from "../../src/mock/index.js";
import { createPageHandler } from "../../src/web/createPageHandler.js";

/** A running page server for the browser tests. */
export interface PageServer {
  /** The page's address, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  /** The mock upstream that answers `/v1/*` (choose scenarios with `mock.enqueue`). */
  mock: MockServer;
  close(): Promise<void>;
}

/**
 * TEST-ONLY composition until `llmstream serve` takes a page handler: the page handler for `/` and
 * the assets, and `/v1/*` forwarded to the project's mock server byte for byte, a browser abort
 * closing the upstream request. Swap this function's body for `serve --upstream <mock>` (or `serve`
 * with the embedded engine) once serve exists; the tests only use `{ url, mock, close }`.
 */
export async function startPageServer(): Promise<PageServer> {
  const mock = await createMockServer();
  const page = createPageHandler();
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    if (path.startsWith("/v1/")) {
      const upstream = http.request(
        `${mock.url}${path}`,
        { method: req.method ?? "GET", headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      // The browser closed the request (Stop): close the upstream one too, as serve does.
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${path}`, {
      method: req.method ?? "GET",
      headers: Object.entries(req.headers).flatMap(([name, value]) =>
        value === undefined
          ? []
          : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
      ),
    });
    void page(request).then(
      async (response) => {
        if (response === undefined) {
          res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
          return;
        }
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body === null) res.end();
        else Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    mock,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await mock.close();
    },
  };
}
