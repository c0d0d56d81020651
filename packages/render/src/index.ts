// Terminal rendering. The block and inline renderers (renderBlocks.ts, renderTable.ts,
// styledLines.ts, highlightCode.ts) are internals, left out on purpose.
export {
  createMarkdownRenderer,
  type MarkdownRendererOptions,
  renderMarkdown,
  type TextRenderer,
} from "./createMarkdownRenderer.js";
export { createPlainRenderer } from "./createPlainRenderer.js";
