/** What the WHATWG algorithm yields for a whole decoded stream, in the spec's own terms. */
export interface SpecOutput {
  /** Dispatched events: `type` is the event type buffer ("" means "message"), `lastEventId` as the spec keeps it. */
  events: { type: string; data: string; lastEventId: string }[];
  /** Every valid `retry:` value, in order (the spec sets the reconnection time to each). */
  retries: number[];
  /** Comment lines without the colon and one leading space (the spec ignores them; parsers report them). */
  comments: string[];
}

/**
 * The "Parsing an event stream" and "Interpret the line" steps, written out literally over a whole
 * string: no chunking, no fast path, nothing clever. It is the arbiter in the differential test: where
 * our parser and eventsource-parser disagree, this says which one follows the spec.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export function parseEventStreamBySpec(text: string): SpecOutput {
  const output: SpecOutput = { events: [], retries: [], comments: [] };
  // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
  // pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
  const lines = text.split(/\r\n|\r|\n/);
  // "Once the end of the file is reached, any pending data must be discarded": the last piece has no
  // line ending, so it is not a line yet.
  lines.pop();
  let data = "";
  let type = "";
  let lastEventId = "";
  for (const line of lines) {
    if (line === "") {
      // Dispatch: the last event ID is set even when nothing is dispatched.
      if (data === "") {
        type = "";
        continue;
      }
      if (data.endsWith("\n")) data = data.slice(0, -1);
      output.events.push({ type, data, lastEventId });
      data = "";
      type = "";
      continue;
    }
    if (line.startsWith(":")) {
      output.comments.push(line.slice(line.startsWith(": ") ? 2 : 1));
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") type = value;
    else if (field === "data") data += `${value}\n`;
    else if (field === "id") {
      if (!value.includes("\0")) lastEventId = value;
    } else if (field === "retry") {
      if (/^[0-9]+$/.test(value)) output.retries.push(Number(value));
    }
  }
  return output;
}
