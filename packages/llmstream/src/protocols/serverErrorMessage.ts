import { isRecord } from "../utils/isRecord.js";

/** Longest server message kept in errors: enough to read, short enough for one terminal line. */
const MAX_MESSAGE = 300;

/**
 * Finds the server's own message in a parsed error body: `{"error":{"message"}}` (OpenAI, vLLM,
 * llama.cpp), `{"error":"…"}` (Ollama), `{"message"}` or `{"detail"}` (FastAPI). Shortened.
 */
export function serverErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const record = body;
  const error = record.error;
  if (typeof error === "string") return shorten(error);
  if (isRecord(error)) {
    const message = error.message;
    if (typeof message === "string") return shorten(message);
    return shorten(JSON.stringify(error));
  }
  for (const key of ["message", "detail"]) {
    const value = record[key];
    if (typeof value === "string") return shorten(value);
    if (value !== undefined && value !== null) return shorten(JSON.stringify(value));
  }
  return undefined;
}

/**
 * The server's message from a raw error response body: JSON error shapes, an HTML page's `<title>`,
 * or the plain text itself. Shortened to one line.
 */
export function serverMessageFromBody(text: string, contentType = ""): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed.startsWith("{") || contentType.includes("json")) {
    try {
      const found = serverErrorMessage(JSON.parse(trimmed));
      if (found !== undefined) return found;
    } catch {
      // Not JSON after all: fall through to the other shapes.
    }
  }
  if (contentType.includes("html") || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
    if (title !== undefined && title.trim() !== "") return shorten(decodeEntities(title));
    const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(trimmed)?.[1];
    if (heading !== undefined) return shorten(decodeEntities(heading.replace(/<[^>]+>/g, "")));
    return "an HTML error page";
  }
  return shorten(trimmed);
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= MAX_MESSAGE ? oneLine : `${oneLine.slice(0, MAX_MESSAGE - 1)}…`;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
