import type { TextRenderer } from "./createMarkdownRenderer.js";

/**
 * The `plain` renderer: writes the text through as it arrives, and ends with a newline if the text
 * did not, so the next output starts on a fresh line.
 */
export function createPlainRenderer(options: { write: (text: string) => void }): TextRenderer {
  let last = "";
  return {
    push(text) {
      if (text === "") return;
      options.write(text);
      last = text;
    },
    end() {
      if (last !== "" && !last.endsWith("\n")) options.write("\n");
      last = "\n";
    },
    resize() {},
  };
}
