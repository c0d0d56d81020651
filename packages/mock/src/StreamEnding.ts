/**
 * How a token stream ends.
 * - `complete`: finish chunk, usage chunk when asked for, `[DONE]` (Ollama: the `done: true` line).
 * - `no-done`: finish chunk, then the connection ends without `[DONE]` (a success for lenient clients).
 * - `truncated`: the connection ends after the tokens, with no finish reason and no `[DONE]`.
 * - `reset`: the socket is destroyed after the tokens.
 * - `stall`: after the tokens only keep-alives follow, until the client closes.
 */
export type StreamEnding = "complete" | "no-done" | "truncated" | "reset" | "stall";
