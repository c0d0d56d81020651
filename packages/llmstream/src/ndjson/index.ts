// The public `llmstream/ndjson` entry: the line splitter and its TransformStream. `isBlankLine` stays
// internal (the HTTP client's byte path uses it).
export { ProtocolError, type ProtocolErrorReason } from "../errors/ProtocolError.js";
export { createNdjsonParser, type NdjsonParser, type NdjsonParserOptions } from "./createNdjsonParser.js";
export { NdjsonLineStream } from "./NdjsonLineStream.js";
