/** What one line of interactive input amounts to. */
export type AssembledInput =
  | { kind: "message"; text: string }
  | { kind: "exit" }
  | { kind: "help" }
  | { kind: "unknown-command"; name: string }
  /** The line belongs to a message still being written (`"""` block or a paste). */
  | { kind: "more" };

/** The words that end an interactive session, as in `ollama run` and `llm chat`. */
export const exitCommands: readonly string[] = ["/bye", "/exit", "exit", "quit"];

/** `chat -i`'s `/help`. */
export const interactiveHelp = `Commands:
  /help, /?                  this list
  /bye, /exit, exit, quit    end the session (or Ctrl-D)
  """                        start a multi-line message; a line ending in """ sends it
A pasted block of several lines is one message. Ctrl-C stops an answer, or clears the line.`;

const fence = '"""';

/**
 * Turns interactive input lines into messages and commands. Pure: the caller says whether the line
 * arrived inside a bracketed paste. A paste's lines are joined with the line that ends it (the Enter
 * after the paste); a `"""` line opens a block that runs to a line ending in `"""`.
 */
export function createInputAssembler(): {
  line(text: string, options?: { pasting?: boolean }): AssembledInput;
  /** The message still open at the end of input (an unclosed block or paste), if any. */
  end(): AssembledInput | undefined;
} {
  let block: string[] | undefined;
  let pasted: string[] = [];
  const message = (text: string): AssembledInput =>
    text.trim() === "" ? { kind: "more" } : { kind: "message", text };
  return {
    line(text, options = {}) {
      if (block !== undefined) {
        if (!text.trimEnd().endsWith(fence)) {
          block.push(text);
          return { kind: "more" };
        }
        const last = text.trimEnd().slice(0, -fence.length);
        if (last.trim() !== "") block.push(last);
        const whole = block.join("\n");
        block = undefined;
        return message(whole);
      }
      if (options.pasting === true) {
        pasted.push(text);
        return { kind: "more" };
      }
      if (pasted.length > 0) {
        const whole = [...pasted, text].join("\n");
        pasted = [];
        return message(whole);
      }
      const trimmed = text.trim();
      if (trimmed.startsWith(fence)) {
        const rest = trimmed.slice(fence.length);
        if (rest.length >= fence.length && rest.endsWith(fence)) return message(rest.slice(0, -fence.length));
        block = rest === "" ? [] : [rest];
        return { kind: "more" };
      }
      if (exitCommands.includes(trimmed)) return { kind: "exit" };
      if (trimmed === "/help" || trimmed === "/?") return { kind: "help" };
      if (/^\/[a-z?]+$/i.test(trimmed)) return { kind: "unknown-command", name: trimmed };
      return message(text);
    },
    end() {
      const open = block ?? (pasted.length > 0 ? pasted : undefined);
      block = undefined;
      pasted = [];
      if (open === undefined) return undefined;
      const result = message(open.join("\n"));
      return result.kind === "message" ? result : undefined;
    },
  };
}
