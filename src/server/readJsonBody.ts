import { ApiError } from "./ApiError.js";

/**
 * Reads a JSON request body of at most `maxBytes` (413 beyond, checked on `Content-Length` first and
 * again while reading, so a lying or absent length cannot get past it); 400 for bad JSON. The 413
 * message names `limitSetting`, the setting that raises the limit.
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  limitSetting = "maxBodyBytes",
): Promise<unknown> {
  const tooLarge = () =>
    new ApiError(413, `The request body is larger than ${maxBytes} bytes (see ${limitSetting})`, {
      code: "body_too_large",
    });
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > maxBytes) throw tooLarge();
  const parts: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      parts.push(value);
    }
  }
  const text = Buffer.concat(parts).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `The request body is not valid JSON: ${(error as Error).message}`, {
      code: "invalid_json",
      cause: error,
    });
  }
}
