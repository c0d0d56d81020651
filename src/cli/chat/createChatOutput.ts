import picocolors from "picocolors";
import type { StreamEvent } from "../../types/events.js";
import type { StreamWriter } from "./createStreamWriter.js";
import { serializeEvent } from "./serializeEvent.js";

/** How `chat` prints one answer. */
export interface ChatOutputOptions {
  writer: StreamWriter;
  /** `json`: one NDJSON line per event. `text`: the answer as text. */
  mode: "json" | "text";
  /** Colour (dimmed reasoning) in text mode. */
  color: boolean;
  /** Print reasoning in text mode (it is always in `json`). */
  showReasoning: boolean;
  /** Called once, just before the first byte is written: the moment to clear a spinner. */
  onFirstOutput?: () => void;
}

/** Prints the events of one answer. */
export interface ChatOutput {
  /** Prints one event. */
  write(event: StreamEvent): Promise<void>;
  /** Ends the answer: in text mode, a final newline when the text did not end with one. */
  end(): Promise<void>;
}

/**
 * Creates the printer for one answer. In text mode the answer goes out exactly as received, with
 * reasoning (dimmed on a colour terminal) before it and a blank line between the two; tool calls
 * get a line each. `usage`, `done` and `error` print nothing in text mode: the caller reports them
 * on stderr.
 */
export function createChatOutput(options: ChatOutputOptions): ChatOutput {
  const { writer } = options;
  const colors = picocolors.createColors(options.color);
  let started = false;
  let lastChar = "";
  let section: "none" | "reasoning" | "text" = "none";

  const put = (text: string, visible = text) => {
    if (text === "") return Promise.resolve();
    if (!started) {
      started = true;
      options.onFirstOutput?.();
    }
    lastChar = visible.slice(-1) || lastChar;
    return writer.write(text);
  };
  const newlineIfNeeded = () => (lastChar === "" || lastChar === "\n" ? Promise.resolve() : put("\n"));

  if (options.mode === "json") {
    return {
      write: (event) => put(`${serializeEvent(event)}\n`),
      end: () => Promise.resolve(),
    };
  }
  return {
    async write(event) {
      switch (event.type) {
        case "reasoning":
          if (!options.showReasoning || event.text === "") return;
          if (section === "text") await newlineIfNeeded();
          section = "reasoning";
          await put(colors.dim(event.text), event.text);
          return;
        case "text":
          if (event.text === "") return;
          if (section === "reasoning") {
            await newlineIfNeeded();
            await put("\n");
          }
          section = "text";
          await put(event.text);
          return;
        case "tool_call":
          await newlineIfNeeded();
          await put(`${colors.dim("[tool call]")} ${event.name}(${event.arguments})\n`);
          return;
        default:
          return;
      }
    },
    end: () => newlineIfNeeded(),
  };
}
