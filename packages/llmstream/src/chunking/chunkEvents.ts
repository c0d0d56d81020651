import type { StreamEvent } from "../types/events.js";
import type { ChunkerOptions } from "./createChunker.js";
import { createEventChunker } from "./createEventChunker.js";
import { coreIterable, coreTransformStream, type MaxDelayOptions } from "./driveChunker.js";

/** Options of {@link chunkEvents} and {@link chunkEventsIterable}. */
export interface ChunkEventsOptions extends ChunkerOptions, MaxDelayOptions {}

/**
 * A `TransformStream` over {@link StreamEvent}s that re-cuts `text` and `reasoning` events into whole
 * words (or graphemes, sentences, lines). Other events first release the held text, then pass through
 * unchanged, so `done` always comes after all text.
 *
 * @example
 * ```ts
 * import { streamChat } from "llmstream";
 * import { chunkEvents } from "llmstream/chunking";
 *
 * const events = streamChat(options).toReadableStream().pipeThrough(chunkEvents({ by: "word", maxDelayMs: 200 }));
 * ```
 */
export function chunkEvents(options: ChunkEventsOptions = {}): TransformStream<StreamEvent, StreamEvent> {
  return coreTransformStream(createEventChunker(options), options);
}

/**
 * The async-iterable form of {@link chunkEvents}. Breaking out of the loop calls `return()` on the
 * source (which aborts a chat request).
 *
 * @example
 * ```ts
 * for await (const event of chunkEventsIterable(chat, { by: "word" })) {
 *   if (event.type === "text") process.stdout.write(event.text);
 * }
 * ```
 */
export function chunkEventsIterable(
  source: AsyncIterable<StreamEvent> | Iterable<StreamEvent>,
  options: ChunkEventsOptions = {},
): AsyncGenerator<StreamEvent, void, undefined> {
  return coreIterable(source, createEventChunker(options), options);
}
