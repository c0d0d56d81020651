// The public `llmstream/sse` entry: the string-level parser and its TransformStream. The line-level
// parser (`createSseLineParser`) and the byte helpers (`dataValueStart*`) stay internal: they serve
// the HTTP client's fast lane and may change with it.
export { ProtocolError, type ProtocolErrorReason } from "../errors/ProtocolError.js";
export { createSseParser, type SseEvent, type SseParser, type SseParserOptions } from "./createSseParser.js";
export { SseParserStream } from "./SseParserStream.js";
