// Bundles the chat page (packages/cli/src/web/app) into packages/cli/dist/web: app.js, app.css and index.html. Run by
// `npm run build` after tsc; the bundle is not committed. `llmstream` comes in through its exports
// map, so its `#nodeTransport` import resolves to the browser stub (no node:http in the bundle).
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../packages/cli/", import.meta.url));
const out = `${root}dist/web/`;
await mkdir(out, { recursive: true });

const result = await build({
  entryPoints: { app: `${root}src/web/app/main.ts`, "app-style": `${root}src/web/app/app.css` },
  outdir: out,
  bundle: true,
  minify: process.env.LLMSTREAM_WEB_MINIFY !== "0",
  format: "esm",
  platform: "browser",
  target: ["chrome111", "firefox115", "safari16.4"],
  sourcemap: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
// esbuild names a CSS entry after its key; the page links app.css.
const { rename } = await import("node:fs/promises");
await rename(`${out}app-style.css`, `${out}app.css`);
await copyFile(`${root}src/web/app/index.html`, `${out}index.html`);
const sizes = Object.entries(result.metafile.outputs).map(
  ([file, { bytes }]) => `${file.split("/").pop()} ${(bytes / 1024).toFixed(1)} KiB`,
);
console.log(`buildWeb: packages/cli/dist/web/ (${sizes.join(", ")})`);
