const COLON = 58;
const SPACE = 32;

/**
 * {@link dataValueStart} for an SSE line given as UTF-8 bytes, `bytes[start, end)`: where the value
 * of a `data:` field starts (after the one space the spec strips), or -1 for any other line.
 *
 * @example
 * ```ts
 * dataValueStartInBytes(new TextEncoder().encode("data: {}"), 0, 8); // 6
 * ```
 */
export function dataValueStartInBytes(bytes: Uint8Array, start: number, end: number): number {
  if (
    end - start < 5 ||
    bytes[start] !== 100 ||
    bytes[start + 1] !== 97 ||
    bytes[start + 2] !== 116 ||
    bytes[start + 3] !== 97 ||
    bytes[start + 4] !== COLON
  ) {
    return -1;
  }
  return start + 5 < end && bytes[start + 5] === SPACE ? start + 6 : start + 5;
}
