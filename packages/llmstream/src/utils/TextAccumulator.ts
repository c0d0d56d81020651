/** Size of the largest off-heap block of UTF-8 bytes. */
const BLOCK_BYTES = 64 * 1024;
/** The first block: most answers are short, and a 64 KiB allocation per request showed in TTFT. */
const FIRST_BLOCK_BYTES = 256;

const encoder = new TextEncoder();
// `ignoreBOM: true`: a U+FEFF that starts a block is part of the text, not a byte-order mark.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Collects text deltas in bounded memory and without O(n²) concatenation. Deltas are copied as UTF-8
 * into 64 KiB off-heap blocks, so no delta string outlives its event: keeping a million small
 * strings alive (even joined in blocks) makes V8 grow its young generation by tens of MB, which is
 * most of a long stream's memory cost. The text is decoded once, when asked for.
 */
export class TextAccumulator {
  #blocks: Uint8Array[] = [];
  #block = new Uint8Array(0);
  #used = 0;
  #length = 0;
  #cached: string | undefined = "";

  append(text: string): void {
    const length = text.length;
    if (length === 0) return;
    this.#length += length;
    this.#cached = undefined;
    // Short ASCII deltas (most tokens) are copied byte by byte: encodeInto would cost a subarray and a
    // result object per delta.
    const block = this.#block;
    let used = this.#used;
    if (length <= 32 && used + length <= block.length) {
      let i = 0;
      for (; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        block[used + i] = code;
      }
      if (i === length) {
        this.#used = used + length;
        return;
      }
      used += i;
      this.#used = used;
      if (i > 0) {
        this.#appendEncoded(text.slice(i));
        return;
      }
    }
    this.#appendEncoded(text);
  }

  #appendEncoded(text: string): void {
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.#block.subarray(this.#used));
      this.#used += written;
      if (read === rest.length) return;
      // The block is full (encodeInto never splits a character): start the next one.
      rest = rest.slice(read);
      this.#seal();
      // Blocks double up to 64 KiB, so a short answer allocates little and a long one few blocks.
      const size = Math.min(BLOCK_BYTES, Math.max(FIRST_BLOCK_BYTES, this.#block.length * 2));
      this.#block = new Uint8Array(Math.max(size, rest.length * 3));
    }
  }

  /** Characters (UTF-16 code units) collected so far. */
  get length(): number {
    return this.#length;
  }

  toString(): string {
    if (this.#cached !== undefined) return this.#cached;
    const parts = this.#blocks.map((block) => decoder.decode(block));
    parts.push(decoder.decode(this.#block.subarray(0, this.#used)));
    this.#cached = parts.join("");
    return this.#cached;
  }

  clear(): void {
    this.#blocks = [];
    this.#block = new Uint8Array(0);
    this.#used = 0;
    this.#length = 0;
    this.#cached = "";
  }

  #seal(): void {
    if (this.#used > 0) this.#blocks.push(this.#block.subarray(0, this.#used));
    this.#used = 0;
  }
}
