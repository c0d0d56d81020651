import { ProtocolError } from "../errors/ProtocolError.js";
import type { TransportResponse } from "../types/Transport.js";

/**
 * Reads up to `limit` characters of a response body as text. With `strict`, a longer body is a
 * `line-too-long` protocol error; otherwise the rest is left unread.
 */
export async function readBounded(
  response: TransportResponse,
  limit: number,
  strict = false,
): Promise<string> {
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    parts.push(text);
    length += text.length;
    if (length > limit) {
      if (strict) {
        throw new ProtocolError(
          "line-too-long",
          `The response body is larger than the ${limit}-character limit; raise maxLineLength if this is expected`,
        );
      }
      break;
    }
  }
  parts.push(decoder.decode());
  return parts.join("").slice(0, limit);
}
