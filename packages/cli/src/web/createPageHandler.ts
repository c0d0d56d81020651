import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** Options of {@link createPageHandler}. */
export interface PageHandlerOptions {
  /**
   * The folder holding the built page (`index.html`, `app.js`, `app.css`).
   * @defaultValue the `dist/web` folder next to this module (where `npm run build` puts it)
   */
  root?: string;
}

/**
 * The page's Content-Security-Policy: scripts and styles only from the page's own files (no inline
 * script, no eval), requests only to the same origin, images from the same origin and, for the
 * click-to-load images of an answer, from http(s); no plugins, no `<base>`, no framing, no forms.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' https: http:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

/**
 * The chat page as a web-standard handler for `llmstream serve`: answers `GET`/`HEAD` of `/` and the
 * page's assets from the built folder with a strict Content-Security-Policy, and `undefined` for
 * any other request, so the server can go on routing it. The files are read on the first request
 * and kept in memory (they are small and only change with a rebuild); a missing build answers 503
 * with what to run.
 *
 * The HTML is never cached (`no-cache`: revalidated with its ETag) so a rebuilt page is picked up at
 * once; the script and stylesheet are revalidated the same way, as their names carry no hash.
 *
 * @example
 * ```ts
 * const page = createPageHandler();
 * const response = (await page(request)) ?? (await api(request));
 * ```
 */
export function createPageHandler(
  options: PageHandlerOptions = {},
): (request: Request) => Promise<Response | undefined> {
  // Resolves to <package>/dist/web both from the built module (dist/web/) and from the source (src/web/).
  const root = options.root ?? fileURLToPath(new URL("../../dist/web/", import.meta.url));
  const cache = new Map<string, Promise<{ body: Uint8Array<ArrayBuffer>; etag: string } | undefined>>();
  const load = (file: string) => {
    let entry = cache.get(file);
    if (entry === undefined) {
      entry = readFile(`${root}${root.endsWith("/") ? "" : "/"}${file}`).then(
        (body) => ({
          body: new Uint8Array(body.buffer, body.byteOffset, body.length) as Uint8Array<ArrayBuffer>,
          etag: `"${body.length.toString(16)}-${hash(body)}"`,
        }),
        () => undefined,
      );
      cache.set(file, entry);
      // A missing build is looked for again on the next request, not remembered.
      void entry.then((loaded) => loaded === undefined && cache.delete(file));
    }
    return entry;
  };

  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const target = FILES[new URL(request.url).pathname];
    if (target === undefined) return undefined;
    const loaded = await load(target.file);
    const headers = new Headers({
      "content-security-policy": PAGE_CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
      "x-frame-options": "DENY",
    });
    if (loaded === undefined) {
      headers.set("content-type", "text/plain; charset=utf-8");
      headers.set("cache-control", "no-store");
      return new Response(`The chat page is not built: run \`npm run build\` (looked in ${root})\n`, {
        status: 503,
        headers,
      });
    }
    headers.set("content-type", target.type);
    headers.set("cache-control", "no-cache");
    headers.set("etag", loaded.etag);
    if (request.headers.get("if-none-match") === loaded.etag)
      return new Response(null, { status: 304, headers });
    headers.set("content-length", String(loaded.body.length));
    return new Response(request.method === "HEAD" ? null : loaded.body, { status: 200, headers });
  };
}

/** FNV-1a over the bytes: an ETag only has to change when the file does. */
function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16);
}
