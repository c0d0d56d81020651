// Bundles the chat page (src/web/app) into dist/web: app.js, app.css and index.html. Run by
// `npm run build` after tsc; the bundle is not committed.
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = `${root}dist/web/`;
await mkdir(out, { recursive: true });

/** The page passes the fetch transport itself, so the lazy node:http transport never loads in a browser. */
const noNodeTransport = {
  name: "no-node-transport",
  setup(context) {
    context.onResolve({ filter: /\/nodeTransport\.js$/ }, () => ({
      path: "nodeTransport",
      namespace: "stub",
    }));
    context.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents:
        'export const nodeTransport = () => { throw new Error("The node:http transport is not available in a browser"); };',
      loader: "js",
    }));
  },
};

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
  plugins: [noNodeTransport],
  logLevel: "warning",
});
// esbuild names a CSS entry after its key; the page links app.css.
const { rename } = await import("node:fs/promises");
await rename(`${out}app-style.css`, `${out}app.css`);
await copyFile(`${root}src/web/app/index.html`, `${out}index.html`);
const sizes = Object.entries(result.metafile.outputs).map(
  ([file, { bytes }]) => `${file.split("/").pop()} ${(bytes / 1024).toFixed(1)} KiB`,
);
console.log(`buildWeb: dist/web/ (${sizes.join(", ")})`);
