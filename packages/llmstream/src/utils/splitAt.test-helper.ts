/**
 * Splits `whole` (a string or bytes) at the given cut points, each taken modulo `length + 1`, repeats
 * ignored: the pieces a property test feeds one by one to show that any split gives the same result.
 */
export function splitAt<T extends { slice(start: number, end?: number): T; length: number }>(
  whole: T,
  cuts: number[],
): T[] {
  const positions = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
  const parts: T[] = [];
  let previous = 0;
  for (const position of positions) {
    parts.push(whole.slice(previous, position));
    previous = position;
  }
  parts.push(whole.slice(previous));
  return parts;
}
