import { completeMarkup } from "./completeMarkup.js";
import { type Block, createBlockSplitter } from "./createBlockSplitter.js";
import { renderText, renderToken } from "./renderMarkdown.js";

/**
 * One answer on the page. Text goes through the block splitter: a finished block is rendered once
 * and inserted before the growing region, which is the only part rendered again (once per frame, by
 * `render`). Reasoning is plain text in a collapsed `<details>`.
 */
export class AnswerView {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  readonly #growingElement: HTMLElement;
  readonly #reasoning: HTMLDetailsElement;
  readonly #reasoningText: Text;
  readonly #stats: HTMLElement;
  #error: HTMLElement | undefined;
  readonly #splitter = createBlockSplitter();
  #growing: Block[] = [];
  #dirty = false;
  #textParts: string[] = [];
  #reasoningParts: string[] = [];

  constructor(document: Document) {
    this.element = document.createElement("li");
    this.element.className = "message assistant";
    this.#reasoning = document.createElement("details");
    this.#reasoning.className = "reasoning";
    this.#reasoning.hidden = true;
    const summary = document.createElement("summary");
    summary.textContent = "Reasoning";
    const reasoningBody = document.createElement("div");
    reasoningBody.className = "reasoning-text";
    this.#reasoningText = document.createTextNode("");
    reasoningBody.append(this.#reasoningText);
    this.#reasoning.append(summary, reasoningBody);
    this.body = document.createElement("div");
    this.body.className = "markdown";
    this.body.dataset.testid = "message-assistant";
    this.#growingElement = document.createElement("div");
    this.#growingElement.className = "growing";
    this.body.append(this.#growingElement);
    this.#stats = document.createElement("div");
    this.#stats.className = "stats";
    this.#stats.dataset.testid = "stats";
    this.element.append(this.#reasoning, this.body, this.#stats);
  }

  /** The answer text so far (markdown source). */
  get text(): string {
    return this.#textParts.join("");
  }

  get reasoning(): string {
    return this.#reasoningParts.join("");
  }

  appendText(text: string): void {
    if (text === "") return;
    this.#textParts.push(text);
    this.#apply(this.#splitter.push(text));
  }

  appendReasoning(text: string): void {
    if (text === "") return;
    this.#reasoningParts.push(text);
    this.#reasoning.hidden = false;
    this.#reasoningText.appendData(text);
  }

  /** Renders the growing blocks, if they changed since the last call. */
  render(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const fragments = this.#growing.map((block) => renderText(completeMarkup(block.raw, block.token.type)));
    this.#growingElement.replaceChildren(...fragments);
  }

  /** The text is complete: the growing blocks become finished ones. */
  finish(): void {
    this.#apply(this.#splitter.end());
    this.render();
  }

  setStats(parts: string[]): void {
    const text = parts.join(" · ");
    if (this.#stats.textContent !== text) this.#stats.textContent = text;
  }

  /** Shows what went wrong, between the answer and its figures (the element exists only then). */
  setError(message: string): void {
    if (this.#error === undefined) {
      this.#error = this.element.ownerDocument.createElement("div");
      this.#error.className = "error";
      this.#error.dataset.testid = "error";
      this.#error.setAttribute("role", "alert");
      this.body.after(this.#error);
    }
    this.#error.textContent = message;
  }

  #apply(update: { finished: Block[]; growing: Block[] }) {
    for (const block of update.finished)
      this.body.insertBefore(renderToken(block.token), this.#growingElement);
    // A block that just finished leaves the growing region, so it must be redrawn even if `growing` is empty.
    if (update.finished.length > 0 || update.growing.length > 0 || this.#growing.length > 0)
      this.#dirty = true;
    this.#growing = update.growing;
  }
}
