import type { StreamEvent } from "llmstream";
import { inCliTerms } from "../inCliTerms.js";

/**
 * One `--json` line for an event (without the newline). Events are written as they are, except
 * `error`, which becomes `{type, code, message, status}`: the error object itself, its stack and
 * its partial result stay out of the output, and the message names the CLI's flags as stderr does.
 */
export function serializeEvent(event: StreamEvent): string {
  if (event.type !== "error") return JSON.stringify(event);
  return JSON.stringify({
    type: "error",
    code: event.code,
    message: inCliTerms(event.message),
    ...(event.status === undefined ? {} : { status: event.status }),
  });
}
