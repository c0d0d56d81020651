import { ProtocolError } from "../errors/ProtocolError.js";
import { dataValueStart } from "./dataValueStart.js";

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event:` field, or `undefined` when the event had none (or an empty one). */
  event: string | undefined;
  /** The `data:` lines of the event, joined with `"\n"`. */
  data: string;
  /**
   * The last event ID seen so far in the stream (it persists across events, as the spec says), or
   * `undefined` while it is unset or empty.
   */
  id: string | undefined;
}

/** Callbacks and limits of {@link createSseLineParser}. */
export interface SseLineParserOptions {
  /** Called once per dispatched event, synchronously from the call that completed it. */
  onEvent: (event: SseEvent) => void;
  /** Called with the reconnection time of a valid `retry:` field (ASCII digits only), in ms. */
  onRetry?: (ms: number) => void;
  /** Called with the text of a comment line (`:` line), one leading space removed. */
  onComment?: (comment: string) => void;
  /**
   * Max characters of one event's accumulated data. Exceeding it makes `line()` throw a
   * `ProtocolError` with reason `line-too-long` and resets the parser.
   * @defaultValue 8 * 1024 * 1024
   */
  maxLineLength?: number;
}

/** The field rules of server-sent events, applied to lines that were already split. */
export interface SseLineParser {
  /** Interprets the line `text[start, end)` (no line break in it); a blank line dispatches the event. */
  line(text: string, start?: number, end?: number): void;
  /** True while no `data:` line of the current event has been seen. */
  readonly idle: boolean;
  /** True while the current event has neither data nor an `event:` type yet. */
  readonly clean: boolean;
  /**
   * Fast lane, twin of `line()` for a `data:` line and the blank line after it: dispatches an event
   * whose only data line is `data`, at once (only valid while `idle`).
   */
  dispatchData(data: string): void;
  /** End of input: dispatches a last event that lacks its blank line, then resets. */
  end(): void;
  /** Forgets the current event and the last event ID. */
  reset(): void;
}

const SPACE = 32;
const COLON = 58;
const DIGITS_ONLY = /^[0-9]+$/;
const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * Creates the line-level half of an SSE parser (WHATWG "Interpret the line"): comments, `event`,
 * `data` (multi-line, joined with "\n"), `id` (ignored when it contains NUL), `retry` (digits only),
 * one space after the colon stripped, unknown fields ignored, events without data not dispatched.
 * `createSseParser` splits decoded text into lines for it; the HTTP client splits bytes.
 *
 * @example
 * ```ts
 * const parser = createSseLineParser({ onEvent: (event) => console.log(event.data) });
 * for (const line of ["event: x", "data: a", "data: b", ""]) parser.line(line); // logs "a\nb"
 * ```
 */
export function createSseLineParser(options: SseLineParserOptions): SseLineParser {
  const { onEvent, onRetry, onComment } = options;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  // The data buffer: the first line alone (the common case), further lines in `moreData`.
  let data = "";
  let moreData: string[] | undefined;
  let dataLines = 0;
  let dataLength = 0;
  let eventType: string | undefined;
  let lastEventId: string | undefined;

  function clearEvent(): void {
    data = "";
    moreData = undefined;
    dataLines = 0;
    dataLength = 0;
    eventType = undefined;
  }

  function dispatch(): void {
    if (dataLines === 0) {
      eventType = undefined;
      return;
    }
    const event: SseEvent = {
      event: eventType,
      data: moreData === undefined ? data : `${data}\n${moreData.join("\n")}`,
      id: lastEventId === "" ? undefined : lastEventId,
    };
    clearEvent();
    onEvent(event);
  }

  function appendData(value: string): void {
    if (dataLines === 0) {
      data = value;
      dataLength = value.length;
    } else {
      (moreData ??= []).push(value);
      dataLength += 1 + value.length;
      if (dataLength > maxLineLength) {
        parser.reset();
        throw new ProtocolError(
          "line-too-long",
          `SSE event data exceeded maxLineLength (${maxLineLength} characters); raise the maxLineLength option if the server really sends that much, otherwise the response is not a valid event stream`,
        );
      }
    }
    dataLines++;
  }

  const parser: SseLineParser = {
    line(text, start = 0, end = text.length) {
      if (start === end) {
        dispatch();
        return;
      }
      const dataStart = dataValueStart(text, start, end);
      if (dataStart !== -1) {
        appendData(text.slice(dataStart, end));
        return;
      }
      if (text.charCodeAt(start) === COLON) {
        if (onComment !== undefined) {
          onComment(
            text.slice(start + 1 < end && text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end),
          );
        }
        return;
      }
      // A bounded scan: `indexOf(":")` could run far past the line on colon-free input.
      let colon = start + 1;
      while (colon < end && text.charCodeAt(colon) !== COLON) colon++;
      let valueStart = colon + 1;
      if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++;
      const value = valueStart < end ? text.slice(valueStart, end) : "";
      switch (colon - start) {
        case 2:
          if (text.startsWith("id", start) && value.indexOf("\0") === -1) lastEventId = value;
          return;
        case 4:
          if (text.startsWith("data", start)) appendData(value);
          return;
        case 5:
          if (text.startsWith("event", start)) eventType = value === "" ? undefined : value;
          else if (text.startsWith("retry", start) && DIGITS_ONLY.test(value) && onRetry !== undefined) {
            const ms = Number(value);
            if (Number.isSafeInteger(ms)) onRetry(ms);
          }
          return;
      }
    },
    get idle() {
      return dataLines === 0;
    },
    get clean() {
      return dataLines === 0 && eventType === undefined;
    },
    dispatchData(value) {
      const event: SseEvent = {
        event: eventType,
        data: value,
        id: lastEventId === "" ? undefined : lastEventId,
      };
      eventType = undefined;
      onEvent(event);
    },
    end() {
      try {
        dispatch();
      } finally {
        parser.reset();
      }
    },
    reset() {
      clearEvent();
      lastEventId = undefined;
    },
  };
  return parser;
}
