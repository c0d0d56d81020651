import { TimeoutError, type TimeoutKind } from "../errors/TimeoutError.js";

const TIMEOUT_HINTS: Record<TimeoutKind, string> = {
  connect: "check that the server is reachable, or raise timeouts.connectMs",
  "first-token": "the server may still be loading the model; raise timeouts.firstTokenMs",
  idle: "the server stopped sending tokens; raise timeouts.idleMs if it is just slow",
  total: "the answer took longer than allowed; raise timeouts.totalMs or lower maxTokens",
};

/**
 * The `TimeoutError` for `kind`, with a message that says what to raise, in the library's own terms
 * (`timeouts.idleMs`): the CLI puts its flag names in their place. Every timeout uses it.
 */
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
