/** What the CLI may do on one output stream. */
export interface TerminalFeatures {
  /** SGR colours and styles (dimmed reasoning, markdown styles, syntax colour). */
  color: boolean;
  /** Cursor movement and line erasing (the spinner, redrawing the growing markdown block). */
  cursor: boolean;
}

/**
 * What `stream` supports: nothing unless it is a terminal; no cursor movement on `TERM=dumb` (Emacs
 * `M-x shell`, some CI consoles print the escape sequences as text); no colour there either, nor
 * when `NO_COLOR` is set to anything non-empty (https://no-color.org).
 */
export function terminalFeatures(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): TerminalFeatures {
  const cursor = stream.isTTY === true && env.TERM !== "dumb";
  return { cursor, color: cursor && (env.NO_COLOR ?? "") === "" };
}
