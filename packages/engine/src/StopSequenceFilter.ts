/** What {@link StopSequenceFilter.push} lets through. */
export interface StopFilterOutput {
  /** Text safe to emit now. */
  text: string;
  /** True when a stop sequence was found; `text` ends right before it and generation should end. */
  stopped: boolean;
}

/**
 * Cuts generated text at the first stop sequence, like OpenAI's `stop`: the stop text itself is never
 * emitted. Text that could be the start of a stop sequence is held back until the next piece decides
 * it; the held text is at most the longest stop sequence minus one character, so the buffer is bounded.
 */
export class StopSequenceFilter {
  readonly #stops: string[];
  readonly #maxHold: number;
  #held = "";

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop !== "");
    this.#maxHold = Math.max(0, ...this.#stops.map((stop) => stop.length - 1));
  }

  /** Feeds the next piece of text. */
  push(text: string): StopFilterOutput {
    if (this.#stops.length === 0) return { text, stopped: false };
    const candidate = this.#held + text;
    let cut = -1;
    for (const stop of this.#stops) {
      const index = candidate.indexOf(stop);
      if (index !== -1 && (cut === -1 || index < cut)) cut = index;
    }
    if (cut !== -1) {
      this.#held = "";
      return { text: candidate.slice(0, cut), stopped: true };
    }
    let hold = Math.min(this.#maxHold, candidate.length);
    while (hold > 0) {
      const suffix = candidate.slice(candidate.length - hold);
      if (this.#stops.some((stop) => stop.startsWith(suffix))) break;
      hold--;
    }
    this.#held = candidate.slice(candidate.length - hold);
    return { text: candidate.slice(0, candidate.length - hold), stopped: false };
  }

  /** The held-back text, when generation ended for another reason. */
  flush(): string {
    const held = this.#held;
    this.#held = "";
    return held;
  }
}
