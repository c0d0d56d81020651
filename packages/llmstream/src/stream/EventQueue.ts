import type { StreamEvent } from "../types/events.js";

/**
 * The events decoded but not yet handed out: usually one or two. A plain array used as a queue either
 * shifts (O(n)) or is emptied with `length = 0`, which frees its storage so the next push allocates it
 * again, and a storage array that keeps growing survives scavenges, which makes V8 grow its young
 * generation. This one keeps its slots, clears each as it is taken, and starts over when empty.
 */
export class EventQueue {
  #items: (StreamEvent | undefined)[] = [];
  #head = 0;
  #tail = 0;

  push(event: StreamEvent): void {
    this.#items[this.#tail++] = event;
  }

  /** The oldest event, removed; `undefined` when empty. */
  shift(): StreamEvent | undefined {
    if (this.#head === this.#tail) return undefined;
    const event = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    }
    return event;
  }

  get length(): number {
    return this.#tail - this.#head;
  }

  clear(): void {
    while (this.shift() !== undefined) {
      // Clears every slot on the way.
    }
  }
}
