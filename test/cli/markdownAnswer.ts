import type { Scenario } from "@llmstream/mock";
import { tokenStream } from "@llmstream/mock";

/** A markdown answer with a heading, emphasis, a list, a code block and a table. */
export const markdownAnswer =
  "# Shopping list\n\nBuy **three** things:\n\n- apples\n- pears\n\n```js\nconst x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";

/** The markdown answer streamed in 3-character pieces, so blocks grow across many chunks. */
export const markdownScenario: Scenario = (context) =>
  tokenStream(context, { tokens: markdownAnswer.match(/[\s\S]{1,3}/g) ?? [], intervalMs: 2 });
