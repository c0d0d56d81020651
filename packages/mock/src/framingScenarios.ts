import { SSE_DONE } from "./openAiFrames.js";
import type { Scenario, Step } from "./Scenario.js";
import { mapWrites, onlyFor, responseBytes } from "./scenarioHelpers.js";
import { tokenStream } from "./tokenStream.js";

/**
 * SSE framing variants of the `ok` answer: the same events, delimited or chunked in the ways real
 * servers and proxies do. A correct parser yields the same text for all of them.
 */
export const framingScenarios: Record<string, Scenario> = {
  crlf: onlyFor("openai", "crlf", (context) =>
    mapWrites(tokenStream(context, { pingEvery: 5 }), (text) => text.replaceAll("\n", "\r\n")),
  ),
  cr: onlyFor("openai", "cr", (context) =>
    mapWrites(tokenStream(context, { pingEvery: 5 }), (text) => text.replaceAll("\n", "\r")),
  ),
  bom: onlyFor("openai", "bom", (context) =>
    mapWrites(tokenStream(context), (text, index) => (index === 0 ? `\uFEFF${text}` : text)),
  ),
  "split-bytes": onlyFor("openai", "split-bytes", (context) => {
    const response = tokenStream(context);
    const bytes = responseBytes(response);
    const steps: Step[] = [];
    // One byte per write, with an event-loop turn between, so multi-byte characters and "\r\n"
    // pairs straddle network reads.
    for (let offset = 0; offset < bytes.length; offset++) {
      steps.push({ write: bytes.subarray(offset, offset + 1) }, { delay: 0 });
    }
    return { ...response, steps };
  }),
  "no-trailing-blank-line": onlyFor("openai", "no-trailing-blank-line", (context) =>
    mapWrites(tokenStream(context), (text) => (text === SSE_DONE ? "data: [DONE]\n" : text)),
  ),
  "multiline-data": onlyFor("openai", "multiline-data", (context) =>
    // SSE joins consecutive data lines with "\n", which JSON accepts as whitespace between members.
    mapWrites(tokenStream(context), (text) =>
      text.startsWith("data: {") ? text.replace(',"object":', '\ndata: ,"object":') : text,
    ),
  ),
  "event-fields": onlyFor("openai", "event-fields", (context) =>
    mapWrites(tokenStream(context), (text, index) => {
      const fields = `id: ${index + 1}\n${index % 2 === 0 ? "event: message\n" : ""}`;
      return `${index === 0 ? "retry: 3000\n\n" : ""}${fields}${text}`;
    }),
  ),
};
