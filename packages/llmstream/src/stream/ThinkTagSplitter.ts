const OPEN = "<think>";
const CLOSE = "</think>";

/** Where each piece of content text belongs. */
export interface ThinkTagOutput {
  text(text: string): void;
  reasoning(text: string): void;
}

/**
 * How inline `<think>` tags are treated.
 * - `auto`: start in the answer; `<think>` opens reasoning, `</think>` closes it. A closing tag with no
 *   opening tag is dropped, and the text before it stays answer text (already shown) — `warning` says so.
 * - `start-in-thinking`: for models whose chat template opens the think block in the prompt
 *   (DeepSeek-R1 style): everything up to the first `</think>` is reasoning.
 */
export type ThinkTagMode = "auto" | "start-in-thinking";

/**
 * Splits inline `<think>…</think>` reasoning out of streamed content. Pure and synchronous: feed it
 * content deltas in order; tags may be split across deltas at any point, so a suffix that could be
 * the start of a tag is held back until the next delta (or `end()`).
 */
export class ThinkTagSplitter {
  #thinking: boolean;
  #held = "";
  #sawOpen = false;
  #sawAnswerText = false;
  /** Right after a tag, models put line breaks ("</think>\n\n"); they are layout, not content. */
  #trimStart = false;
  #output: ThinkTagOutput;
  /** Set when a closing tag arrived without an opening tag. */
  warning: string | undefined;

  constructor(output: ThinkTagOutput, mode: ThinkTagMode = "auto") {
    this.#output = output;
    this.#thinking = mode === "start-in-thinking";
    this.#sawOpen = this.#thinking;
  }

  push(delta: string): void {
    let buffer = this.#held === "" ? delta : this.#held + delta;
    this.#held = "";
    // Fast path: no '<' anywhere means no tag can start here.
    if (buffer.indexOf("<") === -1) {
      this.#emit(buffer);
      return;
    }
    for (;;) {
      const tag = this.#thinking ? CLOSE : OPEN;
      const at = buffer.indexOf(tag);
      const strayAt = this.#thinking ? -1 : buffer.indexOf(CLOSE);
      if (strayAt !== -1 && (at === -1 || strayAt < at)) {
        this.#emit(buffer.slice(0, strayAt));
        this.#stray();
        this.#trimStart = true;
        buffer = buffer.slice(strayAt + CLOSE.length);
        continue;
      }
      if (at === -1) break;
      this.#emit(buffer.slice(0, at));
      if (!this.#thinking) this.#sawOpen = true;
      this.#thinking = !this.#thinking;
      this.#trimStart = true;
      buffer = buffer.slice(at + tag.length);
    }
    const keep = partialTagSuffix(buffer, this.#thinking);
    if (keep > 0) {
      this.#held = buffer.slice(buffer.length - keep);
      buffer = buffer.slice(0, buffer.length - keep);
    }
    this.#emit(buffer);
  }

  /** Releases held text: a partial tag at the very end is just text. */
  end(): void {
    const held = this.#held;
    this.#held = "";
    this.#emit(held);
  }

  #emit(text: string): void {
    if (this.#trimStart) {
      text = text.replace(/^\s+/, "");
      if (text === "") return;
      this.#trimStart = false;
    }
    if (text === "") return;
    if (this.#thinking) {
      this.#output.reasoning(text);
    } else {
      if (!this.#sawAnswerText && text.trim() !== "") this.#sawAnswerText = true;
      this.#output.text(text);
    }
  }

  #stray(): void {
    if (!this.#sawOpen && this.#sawAnswerText && this.warning === undefined) {
      this.warning =
        "A closing </think> tag arrived without an opening tag, so the reasoning before it was shown as answer text; " +
        "for models whose template opens the think block in the prompt use thinkTags: 'start-in-thinking'";
    }
  }
}

/** Length of the longest suffix of `buffer` that is a proper prefix of a tag we look for. */
function partialTagSuffix(buffer: string, thinking: boolean): number {
  const last = buffer.lastIndexOf("<");
  if (last === -1) return 0;
  const suffix = buffer.slice(last);
  if (suffix.length >= CLOSE.length) return 0;
  if (CLOSE.startsWith(suffix)) return suffix.length;
  if (!thinking && OPEN.startsWith(suffix)) return suffix.length;
  return 0;
}
