const COLON = 58;
const SPACE = 32;

/**
 * Where the value of the SSE line `text[start, end)` starts if it is a `data:` field (after the one
 * space the spec strips), or -1 for any other line. The most frequent line by far, so every SSE path
 * checks for it first.
 *
 * @example
 * ```ts
 * dataValueStart("data: {}", 0, 8); // 6
 * dataValueStart("event: x", 0, 8); // -1
 * ```
 */
export function dataValueStart(text: string, start: number, end: number): number {
  if (
    end - start < 5 ||
    text.charCodeAt(start) !== 100 ||
    text.charCodeAt(start + 1) !== 97 ||
    text.charCodeAt(start + 2) !== 116 ||
    text.charCodeAt(start + 3) !== 97 ||
    text.charCodeAt(start + 4) !== COLON
  ) {
    return -1;
  }
  return start + 5 < end && text.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5;
}
