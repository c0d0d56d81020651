/** Largest prompt read from stdin, in bytes: far beyond any model's context, small enough for memory. */
export const maxStdinBytes = 16 * 1024 * 1024;

/**
 * Reads a stream (stdin) to its end as UTF-8 text. Chunks are collected and decoded once, so a
 * character split across chunks survives. Rejects with a `RangeError` past `maxBytes`.
 */
export async function readStdin(
  input: AsyncIterable<Buffer | string>,
  options: { maxBytes?: number } = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? maxStdinBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) {
      throw new RangeError(`Input on stdin is larger than ${maxBytes} bytes: pass a shorter text`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
