import type { ChatResult } from "llmstream";
import { createFetchTransport, isLlmstreamError, type LlmstreamError, streamChat } from "llmstream";
import { AnswerView } from "./AnswerView.js";
import {
  loadConversation,
  type StoredConversation,
  type StoredMessage,
  saveConversation,
} from "./conversationStore.js";
import { createTypist } from "./createTypist.js";
import { API_KEY_NEEDED, API_KEY_REFUSED, describeError } from "./describeError.js";
import { formatStats } from "./formatStats.js";
import { renderText } from "./renderMarkdown.js";
import { safeImageUrl } from "./safeUrl.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLElement>("log");
const list = $<HTMLOListElement>("messages");
const prompt = $<HTMLTextAreaElement>("prompt");
const form = $<HTMLFormElement>("composer");
const send = $<HTMLButtonElement>("send");
const stop = $<HTMLButtonElement>("stop");
const newChat = $<HTMLButtonElement>("new-chat");
const modelSelect = $<HTMLSelectElement>("model");
const jump = $<HTMLButtonElement>("jump");
const status = $<HTMLElement>("status");
const keyForm = $<HTMLFormElement>("key-form");
const keyWhy = $<HTMLElement>("key-why");
const keyInput = $<HTMLInputElement>("api-key");

const apiBase = new URL("v1", document.baseURI).href;
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
const conversation: StoredConversation = loadConversation(localStorage);
const save = () => saveConversation(localStorage, conversation);

// --- the API key of `serve --api-key`: asked for on a 401, kept for this tab only -----------------
// sessionStorage, not localStorage: the key survives a reload but not the tab, and is never written
// into the browser profile for later. It is sent only to this page's own /v1.
const KEY_STORAGE = "llmstream.apiKey";
let apiKey: string | undefined = sessionStorage.getItem(KEY_STORAGE) || undefined;
const authHeaders = (): Record<string, string> =>
  apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };

/** Shows the key form with why it is needed; `keySent`: the key in use was just refused. */
function askForKey(keySent: boolean) {
  if (keySent) {
    // A refused key is of no further use: a reload asks afresh instead of sending it again.
    apiKey = undefined;
    sessionStorage.removeItem(KEY_STORAGE);
  }
  keyWhy.textContent = keySent ? API_KEY_REFUSED : API_KEY_NEEDED;
  keyForm.hidden = false;
  document.body.dataset.ready = "key";
  keyInput.focus();
}

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === "") return;
  apiKey = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  keyInput.value = "";
  keyForm.hidden = true;
  void loadModels();
});

interface Turn {
  controller: AbortController;
  flush: () => void;
  /** The answer so far, as it would be saved. */
  snapshot: () => StoredMessage;
}
let current: Turn | undefined;
/** Bumped by "New chat", so an answer still ending from the old chat does not land in the new one. */
let chatGeneration = 0;

// --- scrolling: follow the answer only while the reader is at the bottom ---------------------------
let following = true;
/** Where our own last scroll to the bottom left the log. */
let pinnedTop = 0;
const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 32;
const pinToBottom = () => {
  log.scrollTop = log.scrollHeight;
  pinnedTop = log.scrollTop;
};
log.addEventListener("scroll", () => {
  // The scroll event of our own pinning arrives after the answer may have grown further, so being
  // far from the new bottom then is not the reader's doing: only a move up detaches.
  if (following && log.scrollTop >= pinnedTop - 1) return;
  following = atBottom();
  jump.hidden = following;
});
const follow = () => {
  if (following) pinToBottom();
  else jump.hidden = false;
};
jump.addEventListener("click", () => {
  following = true;
  jump.hidden = true;
  pinToBottom();
  prompt.focus();
});

const announce = (text: string) => {
  status.textContent = text;
};

// --- messages ---------------------------------------------------------------------------------------
function addUserMessage(content: string) {
  const item = document.createElement("li");
  item.className = "message user";
  const body = document.createElement("div");
  body.dataset.testid = "message-user";
  body.textContent = content;
  item.append(body);
  list.append(item);
}

function addAnswerActions(view: AnswerView, message: StoredMessage) {
  const actions = document.createElement("div");
  actions.className = "actions";
  const copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = "Copy";
  copy.setAttribute("aria-label", "Copy answer");
  copy.addEventListener("click", () => copyText(message.content, copy));
  const regenerate = document.createElement("button");
  regenerate.type = "button";
  regenerate.className = "regenerate";
  regenerate.textContent = "Regenerate";
  regenerate.addEventListener("click", () => void regenerateLast());
  actions.append(copy, regenerate);
  view.element.append(actions);
}

function showStoredAnswer(message: StoredMessage) {
  const view = new AnswerView(document);
  list.append(view.element);
  if (message.reasoning) view.appendReasoning(message.reasoning);
  view.appendText(message.content);
  view.finish();
  if (message.stats) view.setStats(message.stats);
  if (message.error) view.setError(message.error);
  addAnswerActions(view, message);
}

async function copyText(text: string, button: HTMLButtonElement) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1500);
}

// Code copy buttons and click-to-load images live inside rendered answers: one delegated listener.
list.addEventListener("click", (event) => {
  const target = event.target as HTMLElement;
  if (target.matches("button.copy-code")) {
    const code = target.closest(".code-block")?.querySelector("code")?.textContent ?? "";
    void copyText(code, target as HTMLButtonElement);
  } else if (target.matches("button.load-image")) {
    const src = safeImageUrl(target.dataset.src ?? "", document.baseURI);
    if (src === undefined) return;
    const image = document.createElement("img");
    image.alt = target.dataset.alt ?? "";
    image.referrerPolicy = "no-referrer";
    image.src = src;
    target.replaceWith(image);
  }
});

function setBusy(busy: boolean) {
  send.disabled = busy;
  stop.hidden = !busy;
  send.hidden = busy;
  for (const button of list.querySelectorAll<HTMLButtonElement>("button.regenerate")) button.disabled = busy;
}

// --- one turn: stream an answer to the conversation so far ------------------------------------------
async function runTurn() {
  const generation = chatGeneration;
  const model = modelSelect.value;
  const view = new AnswerView(document);
  list.append(view.element);
  view.element.setAttribute("aria-busy", "true");
  follow();
  const controller = new AbortController();
  const keySent = apiKey !== undefined;
  const typist = createTypist(
    {
      text: (text) => view.appendText(text),
      reasoning: (text) => view.appendReasoning(text),
      frame: () => {
        view.render();
        follow();
      },
    },
    { reducedMotion: reducedMotion.matches },
  );
  current = {
    controller,
    flush: () => typist.flush(),
    snapshot: () => ({
      role: "assistant",
      content: view.text,
      ...(view.reasoning === "" ? {} : { reasoning: view.reasoning }),
      error: "Interrupted: the page was closed or reloaded while the answer streamed.",
    }),
  };
  setBusy(true);
  announce("Generating an answer…");
  const started = performance.now();
  let ttft: number | undefined;
  let chunks = 0;
  const live = setInterval(() => {
    view.setStats(
      formatStats({
        ...(ttft === undefined ? {} : { liveTtftMs: ttft }),
        liveChunks: chunks,
        liveElapsedMs: performance.now() - started,
      }),
    );
  }, 200);
  let result: ChatResult | undefined;
  let failure: LlmstreamError | Error | undefined;
  try {
    const stream = streamChat({
      baseURL: apiBase,
      model,
      messages: conversation.messages.map(({ role, content }) => ({ role, content })),
      signal: controller.signal,
      transport: createFetchTransport(),
      ...(apiKey === undefined ? {} : { apiKey }),
      retry: 1,
      timeouts: { connectMs: 10_000, firstTokenMs: 300_000, idleMs: 120_000 },
    });
    result = await stream.forEach((event) => {
      if (event.type === "text" || event.type === "reasoning") {
        ttft ??= performance.now() - started;
        chunks++;
      }
      typist.push(event);
    });
  } catch (error) {
    failure = error as Error;
  }
  clearInterval(live);
  await typist.end();
  view.finish();
  view.element.removeAttribute("aria-busy");
  const partial = result ?? (isLlmstreamError(failure) ? failure.partial : undefined);
  const message: StoredMessage = { role: "assistant", content: view.text };
  if (view.reasoning !== "") message.reasoning = view.reasoning;
  if (partial !== undefined) message.stats = formatStats({ result: partial });
  else message.stats = [];
  view.setStats(message.stats);
  if (failure !== undefined) {
    message.error = describeError(failure, keySent);
    view.setError(message.error);
    if (isLlmstreamError(failure) && failure.status === 401) askForKey(keySent);
    announce(`The answer failed: ${message.error}`);
  } else {
    announce(result?.finishReason === "aborted" ? "Stopped." : "Answer complete.");
  }
  if (current?.controller === controller) current = undefined;
  if (generation !== chatGeneration) return;
  addAnswerActions(view, message);
  conversation.messages.push(message);
  save();
  setBusy(false);
  follow();
}

function submit() {
  const content = prompt.value.trim();
  if (content === "" || current !== undefined || modelSelect.value === "") return;
  prompt.value = "";
  conversation.messages.push({ role: "user", content });
  save();
  addUserMessage(content);
  following = true;
  void runTurn();
}

async function regenerateLast() {
  if (current !== undefined) return;
  const last = conversation.messages.at(-1);
  if (last?.role !== "assistant") return;
  conversation.messages.pop();
  list.lastElementChild?.remove();
  save();
  await runTurn();
}

function stopTurn() {
  if (current === undefined) return;
  // The text that already arrived is shown at once, then the request is closed.
  current.flush();
  current.controller.abort();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && current !== undefined) {
    event.preventDefault();
    stopTurn();
  }
});
stop.addEventListener("click", stopTurn);
newChat.addEventListener("click", () => {
  stopTurn();
  chatGeneration++;
  current = undefined;
  setBusy(false);
  conversation.messages = [];
  save();
  list.replaceChildren();
  announce("New chat.");
  prompt.focus();
});
// Leaving the page mid-answer keeps what arrived, marked as interrupted, so a reload can regenerate it.
addEventListener("pagehide", () => {
  if (current === undefined) return;
  conversation.messages.push(current.snapshot());
  save();
  // The turn is over for this page: the browser now fails its fetch, and that failure must not be
  // stored as a second answer beside the interrupted one.
  chatGeneration++;
  current.controller.abort();
  current = undefined;
});
// A page restored from the back/forward cache would show the abandoned turn as if it were still live.
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});
modelSelect.addEventListener("change", () => {
  conversation.model = modelSelect.value;
  save();
});

// --- start ------------------------------------------------------------------------------------------
async function loadModels() {
  try {
    const response = await fetch(`${apiBase}/models`, {
      headers: { accept: "application/json", ...authHeaders() },
    });
    if (response.status === 401) {
      askForKey(apiKey !== undefined);
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { data?: { id?: unknown }[] };
    const ids = (body.data ?? [])
      .map((model) => model.id)
      .filter((id): id is string => typeof id === "string");
    if (ids.length === 0) throw new Error("the server lists no model");
    modelSelect.replaceChildren(...ids.map((id) => new Option(id, id)));
    modelSelect.value =
      conversation.model !== undefined && ids.includes(conversation.model) ? conversation.model : ids[0]!;
    document.body.dataset.ready = "true";
  } catch (error) {
    showNotice(
      `Could not load the model list from \`${apiBase}/models\`: ${(error as Error).message}. Reload to try again.`,
    );
  }
}

/** A failure of the page itself (not of an answer), shown in place where answers go. */
function showNotice(markdown: string) {
  const notice = document.createElement("li");
  notice.className = "notice error";
  notice.dataset.testid = "error";
  notice.replaceChildren(renderText(markdown));
  list.append(notice);
  document.body.dataset.ready = "error";
}

for (const message of conversation.messages) {
  if (message.role === "user") addUserMessage(message.content);
  else showStoredAnswer(message);
}
pinToBottom();
prompt.focus();
void loadModels();
// The first grapheme segmenter loads ICU data and the first render compiles the markdown and
// sanitiser code paths: tens of ms that would otherwise land on the first token of the first answer.
const warmUp = () => {
  Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment("warm 👩‍💻 up"));
  renderText("**warm** `up` [x](https://example.com)\n\n- a\n\n```js\nlet a = 1;\n```");
};
if ("requestIdleCallback" in window) requestIdleCallback(warmUp, { timeout: 1000 });
else setTimeout(warmUp, 200);
