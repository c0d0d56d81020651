/** The OpenAI error `type` values this server sends. */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "upstream_error"
  | "timeout_error"
  | "server_error";

/** Options of {@link ApiError}. */
export interface ApiErrorOptions {
  type?: ApiErrorType;
  /** The request field at fault, e.g. `messages[0].role`. */
  param?: string;
  code?: string;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

const defaultTypes: Record<number, ApiErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
  502: "upstream_error",
  504: "timeout_error",
};

/**
 * An error the server answers with an HTTP status (before the stream started) or in-band (after it):
 * always in the OpenAI shape `{"error":{"message","type","param","code"}}`.
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.type = options.type ?? defaultTypes[status] ?? "server_error";
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }

  /** The OpenAI error body. */
  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** True for an {@link ApiError}, also across copies of the module (checks `name`). */
export function isApiError(value: unknown): value is ApiError {
  return value instanceof Error && value.name === "ApiError" && "status" in value && "toBody" in value;
}

/**
 * The JSON error answer for `error` as status, headers (its own, such as `Retry-After`, after any
 * `extraHeaders`) and body text: what both the web `Response` and the node:http adapter send.
 */
export function errorReply(
  error: ApiError,
  extraHeaders: Record<string, string> = {},
): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: error.status,
    headers: { "content-type": "application/json", ...extraHeaders, ...error.headers },
    body: JSON.stringify(error.toBody()),
  };
}

/** {@link errorReply} as a web `Response`. */
export function errorResponse(error: ApiError, extraHeaders: Record<string, string> = {}): Response {
  const reply = errorReply(error, extraHeaders);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
