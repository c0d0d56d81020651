// Chunking and smooth typing. The fake-timer and stream test helpers (*.test-helper.ts) and the
// stream-driving internals (driveChunker.ts, timers.ts) are left out on purpose.
export { type ChunkEventsOptions, chunkEvents, chunkEventsIterable } from "./chunkEvents.js";
export { type ChunkTextOptions, chunkText, chunkTextIterable } from "./chunkText.js";
export {
  type ChunkBy,
  type Chunker,
  type ChunkerOptions,
  createChunker,
  defaultMaxBufferLength,
} from "./createChunker.js";
export { createEventChunker, type EventChunker } from "./createEventChunker.js";
export { createPacer, type Pacer, type PacerOptions } from "./createPacer.js";
export type { MaxDelayOptions } from "./driveChunker.js";
export { type SmoothOptions, smoothEvents, smoothEventsIterable } from "./smoothEvents.js";
export type { Timers } from "./timers.js";
