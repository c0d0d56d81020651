import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPageHandler } from "./createPageHandler.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "llmstream-web-"));
  await writeFile(join(root, "index.html"), "<!doctype html><title>t</title>");
  await writeFile(join(root, "app.js"), "console.log(1)");
  await writeFile(join(root, "app.css"), "body{}");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const get = (path: string, init?: RequestInit) =>
  createPageHandler({ root })(new Request(`http://127.0.0.1${path}`, init));

describe("createPageHandler", () => {
  it("serves the page with a strict Content-Security-Policy and nosniff", async () => {
    const response = (await get("/"))!;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toBe("<!doctype html><title>t</title>");
    const csp = response.headers.get("content-security-policy")!;
    const directives = Object.fromEntries(
      csp.split(";").map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name, values.join(" ")];
      }),
    );
    expect(directives).toMatchObject({
      "default-src": "'none'",
      "script-src": "'self'",
      "connect-src": "'self'",
      "object-src": "'none'",
      "base-uri": "'none'",
      "frame-ancestors": "'none'",
    });
    expect(directives["img-src"]?.split(" ")).toContain("'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves the assets with their content types, and a 304 for a matching ETag", async () => {
    const script = (await get("/app.js"))!;
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toBe("console.log(1)");
    const style = (await get("/app.css"))!;
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const etag = style.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const again = (await get("/app.css", { headers: { "if-none-match": etag } }))!;
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const head = (await get("/app.js", { method: "HEAD" }))!;
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("14");
  });

  it("leaves everything else to the server: unknown paths, other methods, the API", async () => {
    for (const path of [
      "/v1/models",
      "/health",
      "/metrics",
      "/app.js.map",
      "/../package.json",
      "/favicon.ico",
    ]) {
      expect(await get(path), path).toBeUndefined();
    }
    expect(await get("/", { method: "POST", body: "x" })).toBeUndefined();
  });

  it("answers 503 naming the build command when the page was not built", async () => {
    const response = (await createPageHandler({ root: join(root, "missing") })(new Request("http://x/")))!;
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("npm run build");
  });
});
