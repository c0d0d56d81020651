// `ignoreBOM: true`: lines are decoded one by one, so a BOM must only be removed at the stream start.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

type NodeBuffer = Uint8Array & { utf8Slice?: (start: number, end: number) => string };

/**
 * Decodes `bytes[start, end)` as UTF-8 (invalid sequences become U+FFFD), keeping a BOM. Uses Node's
 * `Buffer#utf8Slice` where there is one (no subarray, no call overhead), `TextDecoder` elsewhere.
 *
 * @example
 * ```ts
 * decodeUtf8(new TextEncoder().encode("data: é"), 6, 8); // "é"
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (start === end) return "";
  const buffer = bytes as NodeBuffer;
  if (buffer.utf8Slice !== undefined) return buffer.utf8Slice(start, end);
  return decoder.decode(bytes.subarray(start, end));
}
