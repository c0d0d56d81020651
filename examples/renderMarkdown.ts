import { createMarkdownRenderer } from "@llmstream/render";

const renderer = createMarkdownRenderer({
  write: (text) => process.stdout.write(text),
  columns: () => process.stdout.columns ?? 80,
  color: process.stdout.isTTY === true,
});
// Deltas as a model streams them: each block is drawn once it is complete.
for (const delta of ["# Tit", "le\n\nSome **bo", "ld** text.\n\n- one\n- t", "wo\n"]) renderer.push(delta);
renderer.end();
