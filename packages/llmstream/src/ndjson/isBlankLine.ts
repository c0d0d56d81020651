const SPACE = 32;
const TAB = 9;
const CR = 13;

/**
 * Whether `text[start, end)` holds only spaces, tabs and CRs: an NDJSON line that carries no value and
 * is skipped. A JSON line starts with "{" or "[", so the loop almost always stops at once.
 *
 * @example
 * ```ts
 * isBlankLine(" \t\r"); // true
 * isBlankLine('{"a":1}'); // false
 * ```
 */
export function isBlankLine(text: string, start = 0, end = text.length): boolean {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code !== SPACE && code !== TAB && code !== CR) return false;
  }
  return true;
}
