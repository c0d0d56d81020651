import { type IncomingHttpHeaders, request } from "node:http";

/** What a raw `node:http` request saw: no client library between the test and the bytes. */
export interface RawResponse {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** How many `data` events the body arrived in. */
  reads: number;
  /** Set when the connection failed (reset before or during the body). */
  error: Error | undefined;
}

/** POSTs `body` as JSON (GET when `body` is undefined) and collects everything; never rejects. */
export function rawRequest(
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const result: RawResponse = {
      status: undefined,
      headers: {},
      body: Buffer.alloc(0),
      reads: 0,
      error: undefined,
    };
    const parts: Buffer[] = [];
    const finish = (error?: Error) => {
      result.body = Buffer.concat(parts);
      result.error ??= error;
      resolve(result);
    };
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", ...headers },
        agent: false,
      },
      (res) => {
        result.status = res.statusCode;
        result.headers = res.headers;
        res.on("data", (part: Buffer) => {
          result.reads += 1;
          parts.push(part);
        });
        res.on("end", () => finish());
        res.on("error", finish);
        res.on("aborted", () => finish(new Error("aborted")));
      },
    );
    req.on("error", finish);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * A deliberately small SSE reader for the tests: splits on blank lines (after normalising CRLF/CR),
 * joins `data:` lines with "\n", ignores comments and other fields. Returns each event's data.
 */
export function sseData(text: string): string[] {
  const events: string[] = [];
  const normal = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  for (const block of normal.split("\n\n")) {
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
    if (data.length > 0) events.push(data.join("\n"));
  }
  return events;
}

/** The `content` deltas of an OpenAI stream, concatenated. */
export function sseContent(text: string): string {
  const parts: string[] = [];
  for (const data of sseData(text)) {
    if (data === "[DONE]") continue;
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === "string") parts.push(content);
  }
  return parts.join("");
}

/** The JSON payloads of an OpenAI stream, `[DONE]` left out. */
export function sseChunks(text: string): Record<string, unknown>[] {
  return sseData(text)
    .filter((data) => data !== "[DONE]")
    .map((data) => JSON.parse(data) as Record<string, unknown>);
}

/** The `choices[0].delta` objects of an OpenAI stream, in order. */
export function sseDeltas(text: string): Record<string, unknown>[] {
  const deltas: Record<string, unknown>[] = [];
  for (const chunk of sseChunks(text)) {
    const choices = chunk.choices as { delta?: Record<string, unknown> }[] | undefined;
    const delta = choices?.[0]?.delta;
    if (delta !== undefined) deltas.push(delta);
  }
  return deltas;
}

/** The lines of an NDJSON body, parsed. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
