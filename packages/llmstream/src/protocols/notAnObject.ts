import { ProtocolError } from "../errors/ProtocolError.js";

/** The error a chunk handler throws when its input is not a JSON object: what `what` was, instead. */
export function notAnObject(what: string, value: unknown): ProtocolError {
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
  return new ProtocolError(
    "invalid-chunk",
    `Expected a ${what} as a JSON object but got ${got}; check that the protocol option matches the server`,
  );
}
