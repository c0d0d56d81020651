import { TimeoutError, type TimeoutKind } from "../errors/TimeoutError.js";

const TIMEOUT_HINTS: Record<TimeoutKind, string> = {
  connect: "check that the server is reachable, or raise the connect timeout",
  "first-token": "the server may still be loading the model; raise --first-token-timeout",
  idle: "the server stopped sending tokens; raise --idle-timeout if it is just slow",
  total: "the answer took longer than allowed; raise --timeout or lower --max-tokens",
};

/** The `TimeoutError` for `kind`, with a message that says what to raise. Every timeout uses it. */
export function timeoutError(kind: TimeoutKind, ms: number, url: string): TimeoutError {
  const what = {
    connect: "No connection",
    "first-token": "No first token",
    idle: "No token",
    total: "The request did not finish",
  }[kind];
  const seconds = ms >= 1000 ? `${+(ms / 1000).toFixed(2)} s` : `${ms} ms`;
  const after = kind === "idle" ? ` for ${seconds}` : ` within ${seconds}`;
  return new TimeoutError(kind, ms, `${what}${after} from ${url} (${kind} timeout): ${TIMEOUT_HINTS[kind]}`, {
    url,
  });
}
