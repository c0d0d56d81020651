/** Pieces held before they are joined into one block: keeps per-piece overhead bounded. */
const JOIN_EVERY = 2048;

/**
 * Collects text deltas without O(n²) concatenation and without keeping a million small strings
 * alive: pieces are joined in blocks of 2,048, so memory stays close to the text's own size.
 */
export class TextAccumulator {
  #pieces: string[] = [];
  #blocks: string[] = [];
  #length = 0;

  append(text: string): void {
    this.#length += text.length;
    if (this.#pieces.push(text) >= JOIN_EVERY) {
      this.#blocks.push(this.#pieces.join(""));
      this.#pieces = [];
    }
  }

  /** Characters (UTF-16 code units) collected so far. */
  get length(): number {
    return this.#length;
  }

  toString(): string {
    if (this.#blocks.length === 0) return this.#pieces.join("");
    const whole = this.#blocks.join("") + this.#pieces.join("");
    this.#blocks = [whole];
    this.#pieces = [];
    return whole;
  }

  clear(): void {
    this.#pieces = [];
    this.#blocks = [];
    this.#length = 0;
  }
}
