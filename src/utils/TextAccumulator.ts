/** Pieces joined into a block: small, so pieces die young (before a scavenge promotes them). */
const PIECES_PER_BLOCK = 64;
/** Blocks joined into a segment: keeps the number of live strings ~1/16,000 of the pieces. */
const BLOCKS_PER_SEGMENT = 256;

/**
 * Collects text deltas without O(n²) concatenation and without keeping a million small strings
 * alive: pieces are joined into blocks of 64 and blocks into segments of 256, so memory stays close
 * to the text's own size and the garbage collector rarely has to copy a piece.
 */
export class TextAccumulator {
  #pieces: string[] = [];
  #blocks: string[] = [];
  #segments: string[] = [];
  #length = 0;

  append(text: string): void {
    this.#length += text.length;
    if (this.#pieces.push(text) >= PIECES_PER_BLOCK) {
      if (this.#blocks.push(this.#pieces.join("")) >= BLOCKS_PER_SEGMENT) {
        this.#segments.push(this.#blocks.join(""));
        this.#blocks = [];
      }
      this.#pieces = [];
    }
  }

  /** Characters (UTF-16 code units) collected so far. */
  get length(): number {
    return this.#length;
  }

  toString(): string {
    const whole = this.#segments.join("") + this.#blocks.join("") + this.#pieces.join("");
    this.#segments = whole === "" ? [] : [whole];
    this.#blocks = [];
    this.#pieces = [];
    return whole;
  }

  clear(): void {
    this.#pieces = [];
    this.#blocks = [];
    this.#segments = [];
    this.#length = 0;
  }
}
