/**
 * Whether `value` is an object whose properties may be read (arrays included): the one narrowing
 * every reader of wire JSON starts from, before checking each field it uses with `typeof`.
 *
 * @example
 * ```ts
 * const chunk: unknown = JSON.parse('{"model":"m"}');
 * if (isRecord(chunk) && typeof chunk.model === "string") console.log(chunk.model);
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
