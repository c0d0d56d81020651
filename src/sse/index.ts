export { createSseParser, type SseEvent, type SseParser, type SseParserOptions } from "./createSseParser.js";
export { SseParserStream } from "./SseParserStream.js";
