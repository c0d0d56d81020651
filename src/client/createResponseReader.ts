import { ProtocolError } from "../errors/ProtocolError.js";
import { createTemplateJsonParser, type TemplateJsonParser } from "../json/createTemplateJsonParser.js";
import { createLineReader, type LineReader } from "../lines/createLineReader.js";
import { decodeUtf8 } from "../lines/decodeUtf8.js";
import { isBlankLine } from "../ndjson/isBlankLine.js";
import { createResponsesHandler, handleResponsesObject } from "../protocols/createResponsesHandler.js";
import type { DeltaSink } from "../protocols/DeltaSink.js";
import { handleOllamaChunk } from "../protocols/handleOllamaChunk.js";
import { handleOpenAiChunk } from "../protocols/handleOpenAiChunk.js";
import { openAiTextSlot } from "../protocols/openAiTextSlot.js";
import { serverErrorMessage, serverMessageFromBody } from "../protocols/serverErrorMessage.js";
import { createSseLineParser, type SseEvent, type SseLineParser } from "../sse/createSseLineParser.js";
import { dataValueStart } from "../sse/dataValueStart.js";
import { dataValueStartInBytes } from "../sse/dataValueStartInBytes.js";
import type { DeltaReader } from "../stream/DeltaSource.js";
import type { Protocol } from "../types/options.js";
import type { BodyPushAccess, TransportResponse } from "../types/Transport.js";
import { readBounded } from "./readBounded.js";

/** Options of {@link createResponseReader}. */
export interface ResponseReaderOptions {
  /** Sends the request and returns a 2xx response (throws an `HttpError` otherwise). */
  open(): Promise<TransportResponse>;
  /** Called when the response headers arrived. */
  onResponse(): void;
  sink: DeltaSink;
  protocol: Protocol;
  /** Whether a stream was asked for (a JSON answer is expected otherwise). */
  streaming: boolean;
  url: string;
  /** Max bytes of one line (and characters of one SSE event's data). */
  maxLineLength: number;
}

type BodyKind = "sse" | "ndjson" | "json" | "unknown";

const encoder = new TextEncoder();

/**
 * Reads one HTTP response as a {@link DeltaReader}: the body's bytes are split into lines and each
 * line is decoded only when the stream asks for the next event, so a fast network never piles up
 * decoded events, and a waiting consumer gets each chunk straight from the read that carried it.
 */
export function createResponseReader(options: ResponseReaderOptions): DeltaReader {
  const { sink, protocol, url, maxLineLength } = options;
  let response: TransportResponse | undefined;
  let body: (AsyncIterator<Uint8Array | string> & Partial<BodyPushAccess>) | undefined;
  let lines: LineReader | undefined;
  let handleLine: ((line: string) => void) | undefined;
  /** Handles the line `lines.nextRaw()` just read, when the body's dialect has a byte-level path. */
  let handleRawLine: (() => void) | undefined;
  let endOfInput: (() => void) | undefined;
  let inputEnded = false;
  let closed = false;

  const push = (chunk: Uint8Array | string) => {
    lines?.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  };

  const close = () => {
    if (closed) return;
    closed = true;
    response?.close();
    body?.return?.().catch(() => {});
  };

  /** Chooses the decoder for the body; handles a whole JSON answer at once. */
  async function start(res: TransportResponse): Promise<void> {
    const contentType = (res.headers["content-type"] ?? "").toLowerCase();
    const kind = bodyKind(contentType, protocol, options.streaming);
    if (kind === "json") {
      // A server that ignores stream:true (or stream:false was asked): the whole completion is one chunk.
      const json = parseJson(await readBounded(res, maxLineLength, true), url);
      if (protocol === "ollama") handleOllamaChunk(json as never, sink);
      else if (protocol === "responses") handleResponsesObject(json as never, sink);
      else {
        handleOpenAiChunk(json as never, sink);
        sink.end();
      }
      inputEnded = true;
      return;
    }
    if (kind === "unknown") {
      const text = await readBounded(res, 300);
      throw new ProtocolError(
        "unexpected-content-type",
        `Expected an event stream from ${url} but got ${contentType || "no content type"}: ${serverMessageFromBody(text) ?? "empty body"}. Check baseURL and protocol`,
        { url },
      );
    }
    body = res.body[Symbol.asyncIterator]();
    if (kind === "ndjson") {
      lines = createLineReader({ breaks: "lf", maxLineLength, label: "NDJSON line" });
      handleLine = (line) => {
        if (!isBlankLine(line)) handleOllamaChunk(parseJson(line, url) as never, sink);
      };
      return;
    }
    lines = createLineReader({ breaks: "cr-lf", maxLineLength, label: "SSE line" });
    const json = protocol === "openai" ? createTemplateJsonParser({ locate: openAiTextSlot }) : undefined;
    const handleData = sseDataHandler(protocol, sink, json, url);
    const sse: SseLineParser = createSseLineParser({
      maxLineLength,
      onEvent: (event) => handleSseEvent(event, sink, handleData, protocol),
    });
    handleLine = (line) => {
      // The usual event, one data line and a blank line, is dispatched without the blank line's
      // round through the line parser: the shortest path from a socket read to the consumer.
      // With no event type and no id to carry, the data goes straight to the chunk handler.
      const valueStart = sse.clean ? dataValueStart(line, 0, line.length) : -1;
      if (valueStart !== -1 && (lines as LineReader).skipBlankLine()) {
        handleData(line.slice(valueStart), undefined);
      } else sse.line(line);
    };
    if (json !== undefined) {
      const reader = lines;
      const handleText = handleLine;
      // The same, before the line is decoded: a chunk that is the learned template around a plain
      // token is read from the bytes, and only the token is decoded. Anything else is decoded and
      // takes the path above.
      handleRawLine = () => {
        const { bytes, start, end } = reader.raw;
        const valueStart = sse.clean ? dataValueStartInBytes(bytes, start, end) : -1;
        const chunk = valueStart === -1 ? undefined : json.parseBytes(bytes, valueStart, end);
        if (chunk !== undefined && reader.skipBlankLine()) handleOpenAiChunk(chunk as never, sink);
        else handleText(decodeUtf8(bytes, start, end));
      };
    }
    endOfInput = () => sse.end();
  }

  return {
    decode() {
      if (lines === undefined) return false;
      if (handleRawLine !== undefined && lines.nextRaw()) {
        handleRawLine();
        return true;
      }
      const line = lines.next();
      if (line !== undefined) {
        (handleLine as (line: string) => void)(line);
        return true;
      }
      if (endOfInput !== undefined && lines.done) {
        // The body ended: an event that lacks its blank line is still delivered.
        const last = endOfInput;
        endOfInput = undefined;
        last();
        return true;
      }
      return false;
    },
    async fill() {
      if (closed) return false;
      if (inputEnded) {
        close();
        return false;
      }
      try {
        if (response === undefined) {
          response = await options.open();
          options.onResponse();
          await start(response);
          return true;
        }
        const read = await (body as AsyncIterator<Uint8Array | string>).next();
        if (read.done === true) {
          lines?.end();
          inputEnded = true;
        } else push(read.value);
        return true;
      } catch (error) {
        close();
        throw error;
      }
    },
    close,
    pull() {
      if (closed || inputEnded || lines === undefined || body?.take === undefined) return false;
      const chunk = body.take();
      if (chunk === undefined) return false;
      push(chunk);
      return true;
    },
    wait(wake) {
      if (closed || inputEnded || lines === undefined || body?.wait === undefined) return false;
      return body.wait(wake);
    },
  };
}

/** Handles the data of one SSE event; `eventName` is its `event:` field, if any. */
type SseDataHandler = (data: string, eventName: string | undefined) => void;

function handleSseEvent(
  event: SseEvent,
  sink: DeltaSink,
  handleData: SseDataHandler,
  protocol: Protocol,
): void {
  // Responses events are typed: their handler reads `error` events itself.
  if (event.event === "error" && protocol !== "responses") {
    let message: string | undefined;
    try {
      message = serverErrorMessage(JSON.parse(event.data));
    } catch {
      message = event.data.trim() || undefined;
    }
    sink.serverError(message ?? "the server sent an error event with no message");
    return;
  }
  handleData(event.data, event.event);
}

/** The SSE data decoder of a dialect: OpenAI chunks and `[DONE]`, Ollama chunks, or Responses events. */
function sseDataHandler(
  protocol: Protocol,
  sink: DeltaSink,
  json: TemplateJsonParser | undefined,
  url: string,
): SseDataHandler {
  if (protocol === "responses") {
    const handle = createResponsesHandler(sink);
    return (data, eventName) => {
      // Responses streams end with `response.completed` (or `incomplete`/`failed`), never `[DONE]`;
      // a proxy that adds one must not turn a cut stream into a finished one.
      if (data === "[DONE]") return;
      handle(parseJson(data, url) as never, eventName);
    };
  }
  return (data) => {
    if (data === "[DONE]") sink.end();
    else if (json === undefined) handleOllamaChunk(parseJson(data, url) as never, sink);
    else handleOpenAiChunk(parseJson(data, url, json) as never, sink);
  };
}

/** `JSON.parse` (or the template parser), as a protocol error with a snippet when the text is not an object. */
export function parseJson(text: string, url: string, parser?: TemplateJsonParser): unknown {
  try {
    const value: unknown = parser === undefined ? JSON.parse(text) : parser.parse(text);
    if (typeof value !== "object" || value === null) throw new SyntaxError("not a JSON object");
    return value;
  } catch (cause) {
    const snippet = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new ProtocolError(
      "invalid-json",
      `The server at ${url} sent a chunk that is not a JSON object: ${snippet}`,
      {
        url,
        cause,
      },
    );
  }
}

function bodyKind(contentType: string, protocol: Protocol, streaming: boolean): BodyKind {
  if (contentType.includes("text/event-stream")) return "sse";
  if (contentType.includes("ndjson") || contentType.includes("jsonl")) return "ndjson";
  if (contentType.includes("json")) {
    // Ollama streams NDJSON under application/json in some versions.
    return protocol === "ollama" && streaming ? "ndjson" : "json";
  }
  if (contentType === "" || contentType.includes("octet-stream"))
    return protocol === "ollama" ? "ndjson" : "sse";
  return "unknown";
}
