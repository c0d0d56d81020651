import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MOCK_ANSWER, MOCK_ANSWER_TOKENS } from "../../src/mock/index.js";
import { type PageServer, startPageServer } from "./pageServer.js";

// The chat page in Debian's Chromium, against the page server (see pageServer.ts): what a person
// sees, driven by the page's data-testid hooks.
const root = fileURLToPath(new URL("../../", import.meta.url));
let server: PageServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dialogs: string[];

beforeAll(async () => {
  if (!existsSync(`${root}dist/web/app.js`))
    throw new Error("Run `npm run build` first: the page is served from dist/web");
  server = await startPageServer();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async () => {
  await context?.close();
});

/** A fresh browser profile (empty localStorage) with the page loaded and its model list in. */
async function open(options: { reducedMotion?: boolean } = {}) {
  context = await browser.newContext({
    viewport: { width: 390, height: 780 },
    reducedMotion: options.reducedMotion ? "reduce" : "no-preference",
  });
  page = await context.newPage();
  dialogs = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
}

const answers = () => page.getByTestId("message-assistant");
/** The last answer's text as shown (markdown output ends blocks with a line break). */
const lastAnswerText = async () => ((await answers().last().textContent()) ?? "").trimEnd();
const answerTexts = async () => (await answers().allTextContents()).map((text) => text.trimEnd());

/** Types a question and presses Enter; the mock answers it with `scenario`. */
async function ask(scenario: string, question = "Hello?") {
  server.mock.enqueue(scenario);
  const index = server.mock.requests.length;
  await page.getByTestId("prompt").fill(question);
  await page.getByTestId("prompt").press("Enter");
  return index;
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
    const index = await ask("slow");
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
    const index = await ask("slow");
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
    const index = server.mock.requests.length;
    await page.getByRole("button", { name: "Regenerate" }).last().click();
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
    await ask("http-500-json");
    await finished();
    expect(await page.getByTestId("error").textContent()).toMatch(/^HTTP 500: .+/);
  });
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
