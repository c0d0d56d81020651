import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createMockServer, MOCK_ANSWER_TOKENS, type MockServer } from "@llmstream/mock";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./launchChromium.js";

// The library's core in a real browser (Debian's Chromium): the built ESM files are served as-is, so
// this proves the published code needs no Node built-ins, only fetch and Web Streams.
const root = fileURLToPath(new URL("../../packages/llmstream/", import.meta.url));
let mock: MockServer;
let site: http.Server;
let origin: string;
let browser: Browser;
let page: Page;

const PAGE = `<!doctype html><meta charset="utf-8"><title>llmstream</title><script type="module">
import { streamChat } from "/dist/index.js";
window.run = async (scenario, abortAfterText) => {
  const controller = new AbortController();
  const stream = streamChat({ baseURL: location.origin + "/s/" + scenario + "/v1", model: "m", retry: 0,
    messages: [{ role: "user", content: "hi" }], signal: controller.signal });
  const events = [];
  for await (const event of stream) {
    events.push(event.type === "error" ? { type: "error", code: event.code, message: event.message } : event);
    if (abortAfterText && event.type === "text") controller.abort();
  }
  const result = await stream.result.then((r) => ({ text: r.text, finishReason: r.finishReason, usage: r.usage }), (e) => ({ code: e.code, partial: e.partial.text }));
  return { events: events.map((e) => e.type), text: events.filter((e) => e.type === "text").map((e) => e.text).join(""), result };
};
window.ready = true;
</script>`;

beforeAll(async () => {
  if (!existsSync(`${root}dist/index.js`))
    throw new Error("Run `npm run build` first: the browser loads dist/");
  mock = await createMockServer();
  site = http.createServer(async (req, res) => {
    const url = req.url ?? "/";
    if (url === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    } else if (url.startsWith("/dist/") && !url.includes("..")) {
      try {
        const body = await readFile(`${root}${url.slice(1)}`);
        res.writeHead(200, { "content-type": "text/javascript" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    } else if (url.startsWith("/s/")) {
      // Same-origin proxy to the mock, so the page needs no CORS; a browser abort closes both legs.
      const upstream = http.request(
        `${mock.url}${url}`,
        { method: req.method ?? "GET", headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(origin);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  site?.closeAllConnections();
  await new Promise((resolve) => site?.close(resolve));
  await mock?.close();
});

type RunResult = { events: string[]; text: string; result: Record<string, unknown> };
const run = (scenario: string, abortAfterText = false) =>
  page.evaluate(
    ([s, a]) => (window as unknown as { run: (s: string, a: boolean) => Promise<RunResult> }).run(s, a),
    [scenario, abortAfterText] as const,
  );

describe("the core in Chromium", () => {
  it("streams an answer with usage over fetch and Web Streams", async () => {
    const { events, text, result } = await run("ok");
    expect(text).toBe(MOCK_ANSWER_TOKENS.join(""));
    expect(events.slice(-2)).toEqual(["usage", "done"]);
    expect(result).toMatchObject({ text, finishReason: "stop", usage: { source: "server" } });
  });

  it("joins characters split across network reads", async () => {
    expect((await run("split-bytes")).text).toBe(MOCK_ANSWER_TOKENS.join(""));
  });

  it("reports a truncated stream as an error with the partial text", async () => {
    const { events, text, result } = await run("truncated");
    expect(events.at(-1)).toBe("error");
    expect(result).toEqual({ code: "truncated", partial: text });
  });

  it("abort closes the request upstream", async () => {
    const index = mock.requests.length;
    const { events, result } = await run("slow", true);
    expect(events.at(-1)).toBe("done");
    expect(result.finishReason).toBe("aborted");
    expect((await mock.waitForClose(index, { timeoutMs: 3000 })).clientClosedEarly).toBe(true);
  });
});
