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
  checkLength(request.headers.get("content-length"), maxBytes, limitSetting);
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
        throw tooLarge(maxBytes, limitSetting);
      }
      parts.push(value);
    }
  }
  return parseJsonBody(Buffer.concat(parts));
}

/**
 * The same rules over a body the node:http adapter already read (at most `maxBytes + 1` bytes, so a
 * larger one is still seen as larger): 413 from `Content-Length` or the size, 400 for bad JSON.
 */
export function jsonFromBytes(
  contentLength: string | null,
  body: Buffer,
  maxBytes: number,
  limitSetting = "maxBodyBytes",
): unknown {
  checkLength(contentLength, maxBytes, limitSetting);
  if (body.byteLength > maxBytes) throw tooLarge(maxBytes, limitSetting);
  return parseJsonBody(body);
}

function checkLength(contentLength: string | null, maxBytes: number, limitSetting: string): void {
  if (Number(contentLength ?? "0") > maxBytes) throw tooLarge(maxBytes, limitSetting);
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new ApiError(400, `The request body is not valid JSON: ${(error as Error).message}`, {
      code: "invalid_json",
      cause: error,
    });
  }
}

function tooLarge(maxBytes: number, limitSetting: string): ApiError {
  return new ApiError(413, `The request body is larger than ${maxBytes} bytes (see ${limitSetting})`, {
    code: "body_too_large",
  });
}
