import { type ChunkerOptions, createChunker } from "./createChunker.js";
import { coreIterable, coreTransformStream, type MaxDelayOptions } from "./driveChunker.js";

/** Options of {@link chunkText} and {@link chunkTextIterable}. */
export interface ChunkTextOptions extends ChunkerOptions, MaxDelayOptions {}

/**
 * A `TransformStream` that re-cuts text deltas into whole graphemes, words, sentences or lines (see
 * {@link createChunker}). Held text is released after `maxDelayMs`, and at the end of the stream.
 *
 * @example
 * ```ts
 * const words = deltas.pipeThrough(chunkText({ by: "word", maxDelayMs: 200 }));
 * ```
 */
export function chunkText(options: ChunkTextOptions = {}): TransformStream<string, string> {
  return coreTransformStream(createChunker(options), options);
}

/**
 * The async-iterable form of {@link chunkText}. Breaking out of the loop calls `return()` on the
 * source.
 *
 * @example
 * ```ts
 * for await (const word of chunkTextIterable(deltas, { by: "word" })) console.log(word);
 * ```
 */
export function chunkTextIterable(
  source: AsyncIterable<string> | Iterable<string>,
  options: ChunkTextOptions = {},
): AsyncGenerator<string, void, undefined> {
  return coreIterable(source, createChunker(options), options);
}
