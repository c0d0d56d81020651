import type { MockRequestRecord } from "./MockRequestRecord.js";

/**
 * One instruction for the mock server's response writer. Steps run in order; writing stops at once
 * when the client closes the connection.
 *
 * - `write`: send bytes (a function is called at send time, for timestamps).
 * - `delay`: wait `ms` milliseconds (`0` yields to the event loop once, so writes reach the socket apart).
 * - `keepAlive`: write `write` every `everyMs` for `forMs` milliseconds, or until the client closes when
 *   `forMs` is left out.
 * - `destroy`: reset the socket (TCP RST where the platform allows), ending the response abnormally.
 * - `end`: finish the response normally (also done implicitly after the last step).
 */
export type Step =
  | { write: string | Uint8Array | (() => string | Uint8Array) }
  | { delay: number }
  | { keepAlive: { everyMs: number; write: string; forMs?: number } }
  | { destroy: true }
  | { end: true };

/** What the server answers: status line, headers and a script of steps. */
export interface ScenarioResponse {
  /** @defaultValue 200 */
  status?: number;
  /** Headers of the response. Header names are lower case. */
  headers?: Record<string, string>;
  steps: readonly Step[];
}

/** Which protocol the request arrived on: chat completions, Ollama native, or the Responses API. */
export type MockApi = "openai" | "ollama" | "responses";

/** What a scenario builder may look at to shape its answer. */
export interface ScenarioContext {
  api: MockApi;
  /** The request as recorded (body already parsed). */
  request: MockRequestRecord;
  /**
   * How many earlier requests this server answered with the same scenario (0 for the first), so a
   * scenario can fail once and then succeed (`http-429`, `http-503-once`).
   */
  attempt: number;
}

/** A fixed response, or a builder that derives one from the request (model, stream, max_tokens…). */
export type Scenario = ScenarioResponse | ((context: ScenarioContext) => ScenarioResponse);
