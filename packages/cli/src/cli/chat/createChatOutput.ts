import type { TextRenderer } from "@llmstream/render";
import type { StreamEvent } from "llmstream";
import picocolors from "picocolors";
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
  /**
   * Draws the answer text in text mode (the markdown renderer), given where to write. Unset: the text
   * is written exactly as it arrives. May return a promise: the renderer's code can then load while
   * the request is on its way, and the first text waits for it only if it comes first.
   */
  createRenderer?: (write: (text: string) => void) => TextRenderer | Promise<TextRenderer>;
  /** Called once, just before the first byte is written: the moment to clear a spinner. */
  onFirstOutput?: () => void;
}

/** Prints the events of one answer. */
export interface ChatOutput {
  /** Prints one event. */
  write(event: StreamEvent): Promise<void>;
  /** Ends the answer: in text mode, a final newline when the text did not end with one. */
  end(): Promise<void>;
  /** The terminal was resized: lets the renderer redraw its growing block. */
  resize(): void;
}

/**
 * Creates the printer for one answer. In text mode the answer goes out as received (or through the
 * renderer), with reasoning (dimmed on a colour terminal) before it and a blank line between the
 * two; tool calls get a line each. `usage`, `done` and `error` print nothing in text mode: the
 * caller reports them on stderr.
 */
export function createChatOutput(options: ChatOutputOptions): ChatOutput {
  const { writer } = options;
  const colors = picocolors.createColors(options.color);
  let started = false;
  let lastChar = "";
  let section: "none" | "reasoning" | "text" = "none";
  let renderer: TextRenderer | undefined;
  let rendered: Promise<void> = Promise.resolve();

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
  // The renderer writes synchronously; its last write is awaited, which is enough for back-pressure.
  const renderWrite = (text: string) => {
    rendered = put(text);
  };
  // Text for the renderer is pushed once per turn of the event loop: a burst (many events from one
  // network read) costs one redraw of the growing block instead of one per event. When a redraw is
  // slow (a long paragraph), more text arrives meanwhile and the next read brings it in one batch,
  // so the display keeps up with the stream instead of falling behind it.
  let held: string[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const pushHeld = () => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (held.length === 0 || renderer === undefined) return;
    const text = held.join("");
    held = [];
    renderer.push(text);
  };
  const endRenderer = async () => {
    if (renderer === undefined) return;
    pushHeld();
    renderer.end();
    renderer = undefined;
    await rendered;
  };

  if (options.mode === "json") {
    return {
      write: (event) => put(`${serializeEvent(event)}\n`),
      end: () => Promise.resolve(),
      resize() {},
    };
  }
  return {
    async write(event) {
      switch (event.type) {
        case "reasoning":
          if (!options.showReasoning || event.text === "") return;
          if (section === "text") {
            await endRenderer();
            await newlineIfNeeded();
          }
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
          if (options.createRenderer === undefined) return put(event.text);
          // write() is called one event at a time (awaited), so no second renderer can start here.
          renderer ??= await options.createRenderer(renderWrite);
          held.push(event.text);
          scheduled ??= setImmediate(pushHeld);
          return rendered;
        case "tool_call":
          await endRenderer();
          await newlineIfNeeded();
          await put(`${colors.dim("[tool call]")} ${event.name}(${event.arguments})\n`);
          return;
        default:
          return;
      }
    },
    async end() {
      await endRenderer();
      await newlineIfNeeded();
    },
    resize() {
      pushHeld();
      renderer?.resize();
    },
  };
}
