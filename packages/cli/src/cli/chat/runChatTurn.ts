import type { ChatResult, DoneEvent, StreamEvent } from "llmstream";
import { isLlmstreamError, type LlmstreamError } from "llmstream";
import type { ChatOutput } from "./createChatOutput.js";
import type { Spinner } from "./createSpinner.js";

/** What one question-and-answer needs: the event source, where to print, and the spinner. */
export interface ChatTurnOptions {
  /** The answer's events, e.g. a `streamChat()` stream (possibly chunked or paced). */
  events: AsyncIterable<StreamEvent>;
  output: ChatOutput;
  spinner: Spinner;
}

/** How one answer ended: a result (success or abort), or an error with what arrived before it. */
export interface ChatTurnOutcome {
  result?: ChatResult;
  error?: Error;
}

/**
 * Streams one answer to the output: spinner until the first byte, every event printed as it
 * arrives, the answer's final newline. Never throws: a failure comes back as `error` (the partial
 * text is already printed). If the stream throws instead of yielding an `error` event, an `error`
 * event is printed for it, so `--json` output always ends with `done` or `error`.
 */
export async function runChatTurn(options: ChatTurnOptions): Promise<ChatTurnOutcome> {
  const { output, spinner } = options;
  let done: DoneEvent | undefined;
  let error: Error | undefined;
  spinner.start();
  try {
    for await (const event of options.events) {
      if (event.type === "done") done = event;
      if (event.type === "error") error = event.error;
      await output.write(event);
    }
  } catch (thrown) {
    if (error === undefined) {
      error = thrown instanceof Error ? thrown : new Error(String(thrown));
      if (isLlmstreamError(error)) await output.write(errorEvent(error));
    }
  } finally {
    spinner.stop();
  }
  await output.end();
  if (error !== undefined) return { error };
  if (done === undefined)
    return { error: new Error("The stream ended without a result: please report this bug") };
  const { type: _type, ...result } = done;
  return { result };
}

function errorEvent(error: LlmstreamError): StreamEvent {
  return {
    type: "error",
    code: error.code,
    message: error.message,
    ...(error.status === undefined ? {} : { status: error.status }),
    error,
  };
}
