export { createNdjsonParser, type NdjsonParser, type NdjsonParserOptions } from "./createNdjsonParser.js";
export { NdjsonLineStream } from "./NdjsonLineStream.js";
