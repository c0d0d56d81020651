import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "@llmstream/mock";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../browser/launchChromium.js";
import { type PageServer, type RelayPageServer, startPageServer, startServe } from "./pageServer.js";

// The chat page in Debian's Chromium, against `llmstream serve` (the built CLI, see pageServer.ts):
// as a relay in front of the mock server, with the embedded engine, and with --api-key. What a person
// sees, driven by the page's data-testid hooks.
const root = fileURLToPath(new URL("../../", import.meta.url));
const storiesModel = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
let server: RelayPageServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dialogs: string[];
let pageErrors: string[];

beforeAll(async () => {
  if (!existsSync(`${root}packages/cli/dist/web/app.js`))
    throw new Error("Run `npm run build` first: the page is served from packages/cli/dist/web");
  server = await startPageServer();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// Every test ends with no Content-Security-Policy violation and no uncaught error in the page.
afterEach(async () => {
  if (!page.isClosed()) {
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  }
  expect(pageErrors).toEqual([]);
  await context?.close();
});

/** A fresh browser profile (empty localStorage) with the page loaded and its model list in. */
async function open(options: { reducedMotion?: boolean; at?: PageServer; ready?: string } = {}) {
  context = await browser.newContext({
    viewport: { width: 390, height: 780 },
    reducedMotion: options.reducedMotion ? "reduce" : "no-preference",
  });
  await context.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = violations;
    document.addEventListener("securitypolicyviolation", (event) => {
      violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page = await context.newPage();
  dialogs = [];
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto((options.at ?? server).url);
  await page.waitForSelector(`body[data-ready=${options.ready ?? "true"}]`, { timeout: 10_000 });
}

const answers = () => page.getByTestId("message-assistant");
/** The last answer's text as shown (markdown output ends blocks with a line break). */
const lastAnswerText = async () => ((await answers().last().textContent()) ?? "").trimEnd();
const answerTexts = async () => (await answers().allTextContents()).map((text) => text.trimEnd());

/** The mock's chat requests from `from` on (serve also probes the mock's `GET /v1/models`). */
const chatsSince = (from: number) =>
  server.mock.requests.slice(from).filter((r) => r.method === "POST" && r.path.endsWith("/chat/completions"));

/** The index (in `mock.requests`) of the first chat request from `from` on, once it has arrived. */
async function chatIndex(from: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (chatsSince(from).length === 0) {
    if (Date.now() > deadline) throw new Error("The mock saw no chat request within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return chatsSince(from)[0]!.index;
}

/** Types a question and presses Enter; the mock answers it with `scenario`. Returns its request index. */
async function ask(scenario: string, question = "Hello?") {
  server.mock.enqueue(scenario);
  const from = server.mock.requests.length;
  await page.getByTestId("prompt").fill(question);
  await page.getByTestId("prompt").press("Enter");
  return chatIndex(from);
}

/** Waits until the answer has ended (the Send button is back). */
const finished = () => page.getByTestId("send").waitFor({ state: "visible", timeout: 20_000 });

describe("the chat page in Chromium", () => {
  it("shows the answer growing, then the whole answer with its figures", async () => {
    await open();
    // Sample the answer's text on every frame while it streams.
    const sampling = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          const started = performance.now();
          const sample = () => {
            const answer = document.querySelector('[data-testid="message-assistant"]');
            const text = (answer?.textContent ?? "").trimEnd();
            if (seen.at(-1) !== text) seen.push(text);
            const sendVisible = !document.querySelector<HTMLElement>('[data-testid="send"]')!.hidden;
            if ((answer !== null && sendVisible) || performance.now() - started > 15_000) resolve(seen);
            else requestAnimationFrame(sample);
          };
          requestAnimationFrame(sample);
        }),
    );
    await ask("slow");
    await expect(page.getByTestId("stop")).toBeVisibleSoon();
    const seen = await sampling;
    await finished();
    expect(await lastAnswerText()).toBe(MOCK_ANSWER);
    const intermediate = new Set(
      seen.filter((text) => text !== "" && text !== MOCK_ANSWER).map((t) => t.length),
    );
    // 20 tokens 100 ms apart, typed grapheme by grapheme: far more than 20 distinct lengths.
    expect(intermediate.size).toBeGreaterThan(20);
    for (const text of seen) expect(MOCK_ANSWER.startsWith(text.trimEnd())).toBe(true);
    expect(await page.getByTestId("message-user").last().textContent()).toBe("Hello?");
    const stats = (await page.getByTestId("stats").last().textContent()) ?? "";
    expect(stats).toMatch(/TTFT \d+ ms/);
    expect(stats).toMatch(/20 tokens \(from the server\)/);
    expect(stats).toMatch(/\d+(\.\d)? tok\/s/);
    expect(stats).toMatch(/\d+ ms total|\d+\.\d s total/);
    expect(dialogs).toEqual([]);
  });

  it("Stop ends the answer, keeps what arrived, and the server sees the request closed", async () => {
    await open();
    // "stall" (see New chat below): the answer is still streaming whenever the test acts.
    const index = await ask("stall");
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="message-assistant"]')?.textContent ?? "").length > 10,
      undefined,
      { timeout: 10_000 },
    );
    await page.getByTestId("stop").click();
    const record = await server.mock.waitForClose(index, { timeoutMs: 3000 });
    expect(record.clientClosedEarly).toBe(true);
    await finished();
    const text = await lastAnswerText();
    expect(text.length).toBeGreaterThan(10);
    expect(text.length).toBeLessThan(MOCK_ANSWER.length);
    expect(MOCK_ANSWER.startsWith(text.trimEnd())).toBe(true);
    expect(await page.getByTestId("stats").last().textContent()).toContain("stopped");
    await expect(page.getByTestId("error")).toHaveCountSoon(0);
  });

  it("Esc stops too", async () => {
    await open();
    // "stall" (see New chat below): the answer is still streaming whenever the test acts.
    const index = await ask("stall");
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="message-assistant"]')?.textContent ?? "").length > 0,
      undefined,
      { timeout: 10_000 },
    );
    await page.keyboard.press("Escape");
    expect((await server.mock.waitForClose(index, { timeoutMs: 3000 })).clientClosedEarly).toBe(true);
    await finished();
  });

  it("a reload keeps the conversation; regenerate replaces the last answer; new chat clears it", async () => {
    await open();
    await ask("ok", "First question");
    await finished();
    await ask("llamacpp", "Second\nquestion");
    await finished();
    expect(await page.getByTestId("stats").last().textContent()).toMatch(/server: prompt \d+ ms/);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("message-user").allTextContents()).toEqual([
      "First question",
      "Second\nquestion",
    ]);
    expect(await answerTexts()).toEqual([MOCK_ANSWER, MOCK_ANSWER]);
    expect(await page.getByTestId("stats").count()).toBe(2);
    // Regenerate asks again with the same history and replaces the answer.
    server.mock.enqueue("ok");
    const from = server.mock.requests.length;
    await page.getByRole("button", { name: "Regenerate" }).last().click();
    const index = await chatIndex(from);
    await finished();
    expect(await answers().count()).toBe(2);
    const body = server.mock.requests[index]!.body as { messages: { role: string; content: string }[] };
    expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    await page.getByTestId("new-chat").click();
    expect(await answers().count()).toBe(0);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("message-user").count()).toBe(0);
  });

  it.each([
    ["reset", /Connection|cut off/],
    ["error-object", /server reported an error/],
    ["truncated", /cut off/],
  ])("a mid-stream failure (%s) shows the error in place and keeps the partial answer", async (scenario, message) => {
    await open();
    await ask(scenario);
    await finished();
    const error = page.getByTestId("error");
    await error.waitFor({ timeout: 5000 });
    expect(await error.textContent()).toMatch(message);
    expect(await lastAnswerText()).toBe(MOCK_ANSWER_TOKENS.slice(0, 5).join(""));
    // The error survives a reload with the partial answer.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("error").textContent()).toMatch(message);
  });

  it("an HTTP error shows the status and the server's message", async () => {
    await open();
    // Serve answers an upstream's 500 with 502 and names it; the page retries a 502 once, so both
    // attempts meet the failing upstream.
    server.mock.enqueue("http-500-json");
    const index = await ask("http-500-json");
    await finished();
    expect(await page.getByTestId("error").textContent()).toMatch(
      /^HTTP 502: Upstream \S+ failed with HTTP 500: Internal server error$/,
    );
    expect(chatsSince(index)).toHaveLength(2);
  });
});

describe("using the page", () => {
  it("works from the keyboard alone: Shift+Enter is a newline, Enter sends, the model comes from /v1/models", async () => {
    await open();
    expect(await page.getByTestId("model").inputValue()).toBe("mock-model");
    // The prompt has focus on load; nothing but keys from here on.
    await page.keyboard.type("Line one");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("line two");
    expect(await page.getByTestId("prompt").inputValue()).toBe("Line one\nline two");
    server.mock.enqueue("ok");
    const from = server.mock.requests.length;
    await page.keyboard.press("Enter");
    const index = await chatIndex(from);
    await finished();
    expect(await page.getByTestId("message-user").textContent()).toBe("Line one\nline two");
    const body = server.mock.requests[index]!.body as { model: string; stream: boolean; messages: unknown[] };
    expect(body).toMatchObject({
      model: "mock-model",
      stream: true,
      messages: [{ role: "user", content: "Line one\nline two" }],
    });
    expect(await page.getByTestId("prompt").inputValue()).toBe("");
    // The controls are reachable with Tab and have accessible names.
    const names: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      names.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          return (
            element.getAttribute("aria-label") ?? element.dataset.testid ?? element.textContent?.trim() ?? ""
          );
        }),
      );
    }
    expect(names).toEqual(
      expect.arrayContaining(["model", "new-chat", "Copy answer", "Regenerate", "prompt", "send"]),
    );
    // The polite live region said the answer is complete.
    expect(await page.locator("#status[aria-live=polite]").textContent()).toBe("Answer complete.");
  });

  it("follows the answer only while the reader is at the bottom; 'jump to latest' brings it back", async () => {
    await open();
    // A few answers first, so the conversation is taller than the phone-sized window.
    for (let i = 0; i < 2; i++) {
      await ask("page-markdown", `Question ${i}`);
      await finished();
    }
    const metrics = () =>
      page.evaluate(() => {
        const log = document.getElementById("log")!;
        return { top: log.scrollTop, bottom: log.scrollHeight - log.clientHeight };
      });
    let now = await metrics();
    expect(now.bottom).toBeGreaterThan(300);
    expect(Math.abs(now.top - now.bottom)).toBeLessThan(2);
    await ask("page-markdown", "One more");
    await page.getByTestId("stop").waitFor({ timeout: 5000 });
    // The reader scrolls up while it streams: the page stays where they are.
    await page.evaluate(() => {
      document.getElementById("log")!.scrollTop = 0;
    });
    await page.locator("#jump").waitFor({ state: "visible", timeout: 5000 });
    await finished();
    now = await metrics();
    expect(now.top).toBe(0);
    await page.locator("#jump").click();
    now = await metrics();
    expect(Math.abs(now.top - now.bottom)).toBeLessThan(2);
    expect(await page.locator("#jump").isHidden()).toBe(true);
  });

  it("copies an answer and a code block, and shows reasoning collapsed", async () => {
    await open();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.url.slice(0, -1),
    });
    await ask("reasoning-content");
    await finished();
    const reasoning = page.locator("details.reasoning").last();
    expect(await reasoning.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    expect(await reasoning.locator(".reasoning-text").textContent()).toBe("The user wants a greeting.");
    expect(await lastAnswerText()).toBe(MOCK_ANSWER);
    await reasoning.locator("summary").click();
    expect(await reasoning.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    await page.getByRole("button", { name: "Copy answer" }).last().click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(MOCK_ANSWER);
    await ask("page-markdown");
    await finished();
    await page.locator("button.copy-code").last().click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      "const sorted = [10, 9, 1].sort((a, b) => a - b);\nconsole.log(sorted); // [1, 9, 10]",
    );
  });

  it("a reload while an answer streams closes the request and keeps the partial answer, marked interrupted", async () => {
    await open();
    // "stall" (see New chat below): the answer is still streaming whenever the test acts.
    const index = await ask("stall");
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="message-assistant"]')?.textContent ?? "").length > 10,
      undefined,
      { timeout: 10_000 },
    );
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect((await server.mock.waitForClose(index, { timeoutMs: 3000 })).clientClosedEarly).toBe(true);
    const text = await lastAnswerText();
    expect(text.length).toBeGreaterThan(5);
    expect(MOCK_ANSWER.startsWith(text)).toBe(true);
    expect(await page.getByTestId("error").textContent()).toMatch(/^Interrupted/);
    // It can be asked again.
    server.mock.enqueue("ok");
    await page.getByRole("button", { name: "Regenerate" }).click();
    await finished();
    expect(await lastAnswerText()).toBe(MOCK_ANSWER);
    expect(await page.getByTestId("error").count()).toBe(0);
  });

  it("New chat while an answer streams stops it and starts empty", async () => {
    await open();
    // An answer that never ends by itself (its first 5 tokens, then only keep-alives): with "slow"
    // (2 s) a loaded CI machine once clicked New chat after the answer had already ended.
    const index = await ask("stall");
    await page.getByTestId("stop").waitFor({ timeout: 5000 });
    await page.getByTestId("new-chat").click();
    expect((await server.mock.waitForClose(index, { timeoutMs: 3000 })).clientClosedEarly).toBe(true);
    await finished();
    await ask("ok", "Fresh start");
    await finished();
    const body = chatsSince(0).at(-1)!.body as { messages: unknown[] };
    expect(body.messages).toEqual([{ role: "user", content: "Fresh start" }]);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("message-user").allTextContents()).toEqual(["Fresh start"]);
  });
});

describe("model output is untrusted", () => {
  it("an XSS corpus never runs, is shown as text, and refused links and images stay inert", async () => {
    await open();
    await ask("page-xss");
    await finished();
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    const answer = answers().last();
    const text = (await answer.textContent()) ?? "";
    for (const shown of [
      "<script>window.__xss = 1; alert(1)</script>",
      '<img src=x onerror="window.__xss = 2; alert(2)">',
      '<svg onload="window.__xss = 3; alert(3)">',
      "<script>alert(10)</script>",
      "<b>bold?</b>",
      "<scr",
      "rror=window.__xss=12>",
      '<iframe src="javascript:window.__xss=13"></iframe>',
      '<a href="javascript:window.__xss=14">html link</a>',
      "<script>window.__xss = 17</script>",
    ]) {
      expect(text, shown).toContain(shown);
    }
    const inside = await answer.evaluate((element) => ({
      dangerous: element.querySelectorAll(
        "script, img, svg, iframe, object, embed, style, [onerror], [onload], [onmouseover]",
      ).length,
      hrefs: [...element.querySelectorAll("[href]")].map((a) => a.getAttribute("href")),
      imageButtons: [...element.querySelectorAll<HTMLElement>("button.load-image")].map((b) => b.dataset.src),
      labels: [...element.querySelectorAll(".refused-link")].map((span) => span.textContent),
    }));
    expect(inside.dangerous).toBe(0);
    // Every link that survived is a web link; the script links are plain text with their label.
    for (const href of inside.hrefs) expect(href).toMatch(/^https?:/);
    expect(inside.labels).toEqual(expect.arrayContaining(["one", "two", "three", "four"]));
    // The tracker image waits for a click; the data: image is refused outright.
    expect(inside.imageButtons).toEqual(["https://example.invalid/pixel.png"]);
    expect(text).toContain("[image refused: inline]");
    // Clicking the refused links does nothing; a click loads the remote image (it cannot resolve offline).
    for (const label of ["one", "two", "three", "four"])
      await answer.getByText(label, { exact: true }).first().click();
    await answer.locator("button.load-image").click();
    expect(await answer.locator("img").getAttribute("src")).toBe("https://example.invalid/pixel.png");
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(page.url()).toBe(server.url);
  });
});

describe("rendering while it streams", () => {
  it("finished blocks are never rendered again: the first heading is the same node, untouched, at the end", async () => {
    await open();
    await ask("page-markdown");
    // Wait for the first finished block (outside the growing region), then watch it.
    await page.waitForFunction(
      () => {
        const body = document.querySelector('[data-testid="message-assistant"]');
        const first = body?.firstElementChild;
        if (first === null || first === undefined || first.classList.contains("growing")) return false;
        const watched = window as unknown as { __first?: Element; __mutations?: number };
        watched.__first = first;
        watched.__mutations = 0;
        new MutationObserver((records) => {
          watched.__mutations! += records.length;
        }).observe(first, { subtree: true, childList: true, characterData: true, attributes: true });
        return true;
      },
      undefined,
      { timeout: 10_000, polling: "raf" },
    );
    const stillStreaming = await page.getByTestId("stop").isVisible();
    await finished();
    const check = await page.evaluate(() => {
      const watched = window as unknown as { __first?: Element; __mutations?: number };
      const body = document.querySelector('[data-testid="message-assistant"]')!;
      return {
        same: body.firstElementChild === watched.__first,
        connected: watched.__first?.isConnected,
        mutations: watched.__mutations,
        tag: watched.__first?.tagName,
        blocks: [...body.children].filter((child) => !child.classList.contains("growing")).length,
      };
    });
    expect(stillStreaming).toBe(true);
    expect(check).toEqual({ same: true, connected: true, mutations: 0, tag: "H2", blocks: check.blocks });
    expect(check.blocks).toBeGreaterThanOrEqual(7);
    const answer = answers().last();
    expect(await answer.locator("table td").count()).toBe(4);
    expect(await answer.locator(".code-block code .hljs-keyword").count()).toBeGreaterThan(0);
    expect(await answer.locator("a[href='https://developer.mozilla.org/']").count()).toBe(1);
  });

  it("unterminated markup is shown as it will end: no raw *, `, ~~ or | in any frame while it streams", async () => {
    await open();
    const sampling = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          const started = performance.now();
          const sample = () => {
            const answer = document.querySelector('[data-testid="message-assistant"]');
            const text = answer?.textContent ?? "";
            if (seen.at(-1) !== text) seen.push(text);
            const sendVisible = !document.querySelector<HTMLElement>('[data-testid="send"]')!.hidden;
            if ((answer !== null && sendVisible) || performance.now() - started > 15_000) resolve(seen);
            else requestAnimationFrame(sample);
          };
          requestAnimationFrame(sample);
        }),
    );
    await ask("page-markdown");
    const seen = await sampling;
    await finished();
    expect(seen.length).toBeGreaterThan(50);
    const final = await answers().last().textContent();
    expect(final).not.toMatch(/[*`|]|~~/);
    const raw = seen.filter((text) => /[*`|]|~~/.test(text));
    expect(JSON.stringify(raw.map((text) => text.slice(Math.max(0, text.search(/[*`|]|~~/) - 30))))).toBe(
      "[]",
    );
  });

  it("writes screenshots of a finished answer, light and dark", async () => {
    await open();
    await ask("page-markdown", "How do I sort numbers in TypeScript?");
    await finished();
    await mkdir(`${root}test-results`, { recursive: true });
    // A fresh profile per scheme, with this conversation (localStorage), tall enough to show it whole.
    const storageState = await context.storageState();
    for (const colorScheme of ["light", "dark"] as const) {
      const shot = await browser.newContext({
        viewport: { width: 390, height: 1100 },
        colorScheme,
        storageState,
      });
      try {
        const view = await shot.newPage();
        await view.goto(server.url);
        await view.waitForSelector("body[data-ready=true]");
        expect((await view.getByTestId("message-assistant").textContent())?.trimEnd()).toMatch(
          /That is all\.$/,
        );
        const background = await view.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === "light" ? "rgb(255, 255, 255)" : "rgb(22, 24, 28)");
        await view.screenshot({ path: `${root}test-results/chat-${colorScheme}.png` });
      } finally {
        await shot.close();
      }
    }
    expect(existsSync(`${root}test-results/chat-dark.png`)).toBe(true);
  });

  it("under prefers-reduced-motion the text is written as it arrives, without the typing effect", async () => {
    await open({ reducedMotion: true });
    const sampling = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          const observer = new MutationObserver(() => {
            const text = (
              document.querySelector('[data-testid="message-assistant"]')?.textContent ?? ""
            ).trimEnd();
            if (text !== "" && seen.at(-1) !== text) seen.push(text);
          });
          observer.observe(document.getElementById("messages")!, {
            subtree: true,
            childList: true,
            characterData: true,
          });
          setTimeout(() => resolve(seen), 4000);
        }),
    );
    await ask("slow");
    await finished();
    const seen = await sampling;
    // One rendering per token (100 ms apart): every text seen ends at a token boundary.
    let boundary = "";
    const boundaries = new Set(MOCK_ANSWER_TOKENS.map((token) => (boundary += token).trimEnd()));
    for (const text of seen) expect(boundaries.has(text), JSON.stringify(text)).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
  });

  // The one timing assertion in this file. Next to another test file on 2 cores the OS stalls the
  // renderer for 50–300 ms regardless of the page, so `npm test` runs it on its own, right after the
  // rest (LLMSTREAM_TIMING_TEST=later there leaves it for that run); up to two retries, each
  // attempt's figures printed.
  it.skipIf(process.env.LLMSTREAM_TIMING_TEST === "later")(
    "a 2,000-token answer at ~500 tokens/s keeps up: each token shown within 150 ms of arrival, no long task",
    { retry: 2 },
    async () => {
      await open();
      // One unmeasured answer first, as a benchmark warms up: a cold page's first long answer pays
      // for compiling its render path (one 89 ms task seen here, on a quiet machine).
      await ask("page-markdown", "Warm up");
      await finished();
      // Each token is its send time; the page's fetch is wrapped to note when each one arrives.
      await page.evaluate(() => {
        const arrived = new Map<string, number>();
        (window as unknown as { __arrived: Map<string, number> }).__arrived = arrived;
        const original = window.fetch;
        window.fetch = async (input, init) => {
          const response = await original(input, init);
          if (!String(input).includes("/chat/completions") || response.body === null) return response;
          const decoder = new TextDecoder();
          let tail = "";
          const tap = new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              const now = performance.timeOrigin + performance.now();
              const text = tail + decoder.decode(chunk, { stream: true });
              for (const match of text.matchAll(/\d{13}\.\d{3}/g))
                if (!arrived.has(match[0])) arrived.set(match[0], now);
              tail = text.slice(-24);
              controller.enqueue(chunk);
            },
          });
          return new Response(response.body.pipeThrough(tap), {
            status: response.status,
            headers: response.headers,
          });
        };
      });
      const measuring = page.evaluate(
        () =>
          new Promise<{ lags: number[]; sendLags: number[]; longTasks: number[] }>((resolve) => {
            const arrived = (window as unknown as { __arrived: Map<string, number> }).__arrived;
            const longTasks: number[] = [];
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) longTasks.push(entry.duration);
            }).observe({ type: "longtask" });
            const lags: number[] = [];
            const sendLags: number[] = [];
            const stamp = /\d{13}\.\d{3}/g;
            let scanned = 0;
            const started = performance.now();
            // The measured answer is the one after those already on the page (the warm-up's).
            const earlier = document.querySelectorAll('[data-testid="message-assistant"]').length;
            // On every frame, find the tokens that became visible since the last one.
            const sample = () => {
              const now = performance.timeOrigin + performance.now();
              const body = document.querySelectorAll('[data-testid="message-assistant"]')[earlier] ?? null;
              const text = body?.textContent ?? "";
              stamp.lastIndex = Math.max(0, scanned - 20);
              for (let match = stamp.exec(text); match !== null; match = stamp.exec(text)) {
                if (match.index < scanned) continue;
                lags.push(now - (arrived.get(match[0]) ?? Number.NaN));
                sendLags.push(now - Number(match[0]));
                scanned = match.index + match[0].length;
              }
              const done =
                body !== null && !document.querySelector<HTMLElement>('[data-testid="send"]')!.hidden;
              if (done || performance.now() - started > 30_000) resolve({ lags, sendLags, longTasks });
              else requestAnimationFrame(sample);
            };
            requestAnimationFrame(sample);
          }),
      );
      const index = await ask("page-paced");
      const { lags, sendLags, longTasks } = await measuring;
      await finished();
      const record = await server.mock.waitForClose(index);
      const summary = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        const at = (q: number) =>
          sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
        return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
      };
      const rate = (lags.length / (record.closedAt! - record.startedAt)) * 1000;
      console.log(
        `page-paced: ${lags.length} tokens, sent at ${rate.toFixed(0)} tokens/s; arrival→visible ${summary(lags)}; ` +
          `send→visible ${summary(sendLags)}; long tasks: ${longTasks.length > 0 ? longTasks.map((d) => d.toFixed(0)).join(", ") : "none"}`,
      );
      expect(lags.length).toBe(2000);
      expect(lags.every((lag) => Number.isFinite(lag))).toBe(true);
      expect(Math.max(...lags)).toBeLessThan(150);
      expect(longTasks).toEqual([]);
    },
  );
});

// Vitest's expect has no polling matchers for playwright locators: two small ones, with timeouts.
declare module "vitest" {
  interface Assertion {
    toBeVisibleSoon(): Promise<void>;
    toHaveCountSoon(count: number): Promise<void>;
  }
}
expect.extend({
  async toBeVisibleSoon(locator: import("playwright-core").Locator) {
    try {
      await locator.waitFor({ state: "visible", timeout: 10_000 });
      return { pass: true, message: () => "visible" };
    } catch {
      return { pass: false, message: () => "not visible within 10 s" };
    }
  },
  async toHaveCountSoon(locator: import("playwright-core").Locator, count: number) {
    const deadline = Date.now() + 5000;
    let actual = await locator.count();
    while (actual !== count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      actual = await locator.count();
    }
    return { pass: actual === count, message: () => `expected ${count} elements, found ${actual}` };
  },
});

describe("the page against serve with the embedded engine (stories260K)", () => {
  let engine: PageServer;
  beforeAll(async () => {
    // The page sends no max_tokens: the cap is then the limit, so a stopped answer had ~1,000
    // tokens (seconds of generation) still to go.
    engine = await startServe(["--model-file", storiesModel, "--parallel", "1", "--max-tokens-cap", "1000"]);
  }, 60_000);
  afterAll(() => engine?.close());

  const busy = async () => {
    const health = (await (await fetch(`${engine.url}health`)).json()) as Record<string, unknown>;
    return health;
  };

  it("the answer grows, the figures say where the count came from, Stop stops the engine, a reload keeps it", async () => {
    await open({ at: engine });
    expect(await page.getByTestId("model").inputValue()).toBe("stories260K");
    const sampling = page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const lengths: number[] = [];
          const started = performance.now();
          const sample = () => {
            const answer = document.querySelector('[data-testid="message-assistant"]');
            const length = (answer?.textContent ?? "").trimEnd().length;
            if (length > 0 && lengths.at(-1) !== length) lengths.push(length);
            const sendVisible = !document.querySelector<HTMLElement>('[data-testid="send"]')!.hidden;
            if ((answer !== null && sendVisible) || performance.now() - started > 30_000) resolve(lengths);
            else requestAnimationFrame(sample);
          };
          requestAnimationFrame(sample);
        }),
    );
    await page.getByTestId("prompt").fill("Once upon a time");
    await page.getByTestId("prompt").press("Enter");
    const lengths = await sampling;
    await finished();
    expect(new Set(lengths).size).toBeGreaterThan(5);
    const first = await lastAnswerText();
    expect(first.length).toBeGreaterThan(0);
    const stats = (await page.getByTestId("stats").last().textContent()) ?? "";
    expect(stats).toMatch(/TTFT \d+ ms/);
    // The engine's tokenizer counted them, but what reaches the page is the usage serve reported
    // over HTTP, exactly as any OpenAI-compatible server's: "from the server" is what the page knows.
    expect(stats).toMatch(/\d+ tokens \(from the server\)/);
    expect(await page.getByTestId("error").count()).toBe(0);

    // A long answer, stopped early: the engine request ends (the access log says aborted, /health
    // shows the slot free) well before it could have finished.
    const logBefore = engine.cli.stderr().length;
    await page.getByTestId("prompt").fill("Tell me a very long story");
    await page.getByTestId("prompt").press("Enter");
    await page.waitForFunction(
      () =>
        (document.querySelectorAll('[data-testid="message-assistant"]')[1]?.textContent ?? "").length > 20,
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.getByTestId("stop").isVisible()).toBe(true);
    const stopped = performance.now();
    await page.getByTestId("stop").click();
    let logged = "";
    // The answer's 200 went out with its first token, so the access log says 200 with outcome aborted.
    while (performance.now() - stopped < 5000) {
      logged = engine.cli.stderr().slice(logBefore);
      if (/chat 200 aborted/.test(logged)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const afterStop = performance.now() - stopped;
    console.log(`engine: Stop → access log "aborted" after ${afterStop.toFixed(0)} ms`);
    expect(logged).toBe("llmstream serve: chat 200 aborted\n");
    expect(afterStop).toBeLessThan(2000);
    expect(await busy()).toMatchObject({ active: 0, queued: 0 });
    await finished();
    expect(await page.getByTestId("stats").last().textContent()).toContain("stopped");

    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.getByTestId("message-user").allTextContents()).toEqual([
      "Once upon a time",
      "Tell me a very long story",
    ]);
    expect((await answerTexts())[0]).toBe(first);
  }, 60_000);
});

describe("the page against serve --api-key", () => {
  it("asks for the key in place, sends nothing without it, refuses a wrong one, chats with the right one", async () => {
    const key = "sekrit-for-the-test";
    const guarded = await startServe(["--upstream", `${server.mock.url}/v1`, "--api-key", key]);
    try {
      await open({ at: guarded, ready: "key" });
      const form = page.getByTestId("key-form");
      expect(await form.isVisible()).toBe(true);
      expect(await page.getByTestId("key-why").textContent()).toMatch(
        /^This server needs an API key \(it was started with --api-key/,
      );
      // With no model list there is nothing to ask: Enter sends nothing.
      const before = chatsSince(0).length;
      await page.getByTestId("prompt").fill("Hello?");
      await page.getByTestId("prompt").press("Enter");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await answers().count()).toBe(0);
      expect(chatsSince(0)).toHaveLength(before);
      expect(guarded.cli.stderr()).not.toMatch(/chat /);

      // A wrong key: refused, asked again, not kept.
      await page.getByTestId("api-key").fill("not-the-key");
      await page.getByTestId("key-submit").click();
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=key-why]")?.textContent?.includes("refused"),
      );
      expect(await form.isVisible()).toBe(true);
      expect(await page.evaluate(() => sessionStorage.getItem("llmstream.apiKey"))).toBeNull();

      // The right key: the model list loads and an answer streams.
      await page.getByTestId("api-key").fill(key);
      await page.getByTestId("key-submit").click();
      await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
      expect(await form.isVisible()).toBe(false);
      await ask("ok");
      await finished();
      expect(await lastAnswerText()).toBe(MOCK_ANSWER);
      expect(guarded.cli.stderr()).toMatch(/chat 200 ok/);

      // The tab keeps it across a reload; a new browser profile (another tab's storage) asks again.
      await page.reload();
      await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
      await context.close();
      await open({ at: guarded, ready: "key" });
    } finally {
      await guarded.close();
    }
  });
});
