import type { StreamEvent } from "../types/events.js";
import { type Chunker, type ChunkerOptions, createChunker } from "./createChunker.js";

/** A synchronous re-chunker of {@link StreamEvent}s: the event-level twin of {@link Chunker}. */
export interface EventChunker {
  /** Adds an event; returns the events ready to pass on. */
  push(event: StreamEvent): StreamEvent[];
  /** Releases all held text as `text`/`reasoning` events. */
  flush(): StreamEvent[];
  /** How much text is held back now (UTF-16 code units). */
  readonly buffered: number;
}

/**
 * Creates an {@link EventChunker}: `text` and `reasoning` events are re-cut by separate chunkers; a
 * switch from one kind to the other, and any other event (`tool_call`, `usage`, `done`, `error`),
 * first releases the held text, so the order of the stream is kept and `done` comes after all text.
 */
export function createEventChunker(options: ChunkerOptions = {}): EventChunker {
  const text = createChunker(options);
  const reasoning = createChunker(options);
  const release = (chunker: Chunker, type: "text" | "reasoning", out: StreamEvent[], pieces: string[]) => {
    for (const piece of pieces) out.push({ type, text: piece });
    return chunker;
  };
  const flush = (): StreamEvent[] => {
    const out: StreamEvent[] = [];
    release(reasoning, "reasoning", out, reasoning.flush());
    release(text, "text", out, text.flush());
    return out;
  };
  return {
    push(event) {
      if (event.type === "text" || event.type === "reasoning") {
        const out: StreamEvent[] = [];
        const [own, other, otherType] =
          event.type === "text"
            ? [text, reasoning, "reasoning" as const]
            : [reasoning, text, "text" as const];
        release(other, otherType, out, other.flush());
        release(own, event.type, out, own.push(event.text));
        return out;
      }
      const out = flush();
      out.push(event);
      return out;
    },
    flush,
    get buffered() {
      return text.buffered + reasoning.buffered;
    },
  };
}
