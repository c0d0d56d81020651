import { numericHeader } from "./readChatRequest.js";
import type { Scenario, ScenarioContext } from "./Scenario.js";
import { tokenStream } from "./tokenStream.js";

/**
 * Model output that tries to run script in a chat page: raw `<script>`, event-handler attributes,
 * SVG, iframes, `javascript:`/`data:`/`vbscript:` links (also mixed case and entity-encoded), HTML
 * entities, and tags split across tokens. Every payload sets `window.__xss` or opens a dialog, so a
 * page test can prove none of it ran.
 */
export const XSS_TOKENS: readonly string[] = [
  "Raw HTML: ",
  "<script>window.__xss = 1; alert(1)</script>",
  "\n\n",
  '<img src=x onerror="window.__xss = 2; alert(2)">',
  " and ",
  '<svg onload="window.__xss = 3; alert(3)"><circle r="1"></circle></svg>',
  "\n\nLinks: [one](javascript:window.__xss=4) [two](JaVaScRiPt:alert(5)) ",
  "[three](data:text/html,<script>alert(6)</script>) [four](vbscript:msgbox(7)) ",
  "[five](jav&#x61;script:alert(8)) [six](java\tscript:alert(9))",
  "\n\nEntities: &lt;script&gt;alert(10)&lt;/script&gt; and &#60;b&#62;bold?&#60;/b&#62;",
  "\n\nSplit: <scr",
  "ipt>window.__xss = 11</scr",
  "ipt> and <im",
  "g src=x one",
  "rror=window.__xss=12>",
  "\n\n",
  '<iframe src="javascript:window.__xss=13"></iframe>',
  "\n\n",
  '<a href="javascript:window.__xss=14">html link</a> <b onmouseover="window.__xss=15">hover</b>',
  "\n\n![tracker](https://example.invalid/pixel.png) ![inline](data:image/png;base64,AAAA)",
  "\n\n`<script>alert(16)</script>` in code\n\n",
  "```html\n<script>window.__xss = 17</script>\n```\n\n",
  "Done.",
];

/** A markdown answer with every kind of block, for rendering tests and screenshots. */
export const MARKDOWN_ANSWER = [
  "## Sorting numbers in TypeScript\n\n",
  "Use **`Array.prototype.sort`** with a comparator; without one, numbers are compared *as strings*. ",
  "See [MDN](https://developer.mozilla.org/) for details.\n\n",
  "- `a - b` sorts ascending\n- `b - a` sorts descending\n- ~~no comparator~~ sorts `10` before `9`\n\n",
  "```ts\nconst sorted = [10, 9, 1].sort((a, b) => a - b);\nconsole.log(sorted); // [1, 9, 10]\n```\n\n",
  "| Comparator | Result |\n|---|---|\n| none | 1, 10, 9 |\n| `a - b` | 1, 9, 10 |\n\n",
  "> The sort is stable since ES2019.\n\n",
  "That is all.",
].join("");

/** Cuts text into word-sized tokens (a word with the space after it), as a model streams them. */
const wordTokens = (text: string) => text.match(/\S+\s*|\s+/g) ?? [];

/** A timestamp per token, in paragraphs of 25, so the page's rendering work looks like a real answer. */
function pagePaced(context: ScenarioContext) {
  const count = numericHeader(context.request, "x-mock-chunks") ?? 2000;
  const stamp = () => (performance.timeOrigin + performance.now()).toFixed(3);
  return tokenStream(context, {
    tokens: Array.from({ length: count }, (_, i) => () => `${stamp()}${i % 25 === 24 ? "\n\n" : " "}`),
    // 1 ms asked: Node's timers make it about 2 ms, ~500 tokens/s.
    intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 1,
  });
}

/** Scenarios for the chat page's browser tests (packages/cli/src/web), documented in packages/mock/README.md. */
export const pageScenarios: Record<string, Scenario> = {
  "page-xss": (context) =>
    tokenStream(context, {
      tokens: XSS_TOKENS,
      intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 5,
    }),
  "page-markdown": (context) =>
    tokenStream(context, {
      tokens: wordTokens(MARKDOWN_ANSWER),
      intervalMs: numericHeader(context.request, "x-mock-interval-ms") ?? 25,
    }),
  "page-paced": pagePaced,
};
