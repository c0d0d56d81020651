import { createRequire } from "node:module";
import type { LanguageFn } from "highlight.js";
import type { createLowlight as CreateLowlight } from "lowlight";
import type { Span } from "./styledLines.js";

// lowlight (highlight.js 11 grammars, returning a syntax tree) rather than cli-highlight: the tree
// lets us emit our own SGR codes and honour `color: false`, and cli-highlight pins highlight.js 10
// and pulls chalk, yargs and parse5 into the CLI. Grammars load on first use (highlight.js ships
// them as CommonJS, so a synchronous require works): lowlight's `common` bundle loads 37 grammars
// up front, which made importing the renderer take over half a second here.
const require = createRequire(import.meta.url);
// lowlight's package entry re-exports its `all` and `common` bundles, so importing it evaluates all
// 190 grammars (130–139 ms of the renderer's 184 ms import here; `createLowlight` alone: 24–28 ms).
// `createLowlight` lives in lib/index.js, which its `exports` do not list: loaded by file URL, next to
// the entry that resolves. The version is pinned, and the highlighting tests fail if the file moves.
const lowlightLib = new URL("./lib/index.js", import.meta.resolve("lowlight")).href;
const { createLowlight } = (await import(lowlightLib)) as { createLowlight: typeof CreateLowlight };
const lowlight = createLowlight();

/** lowlight's `common` languages; only these names are ever loaded (the name comes from the model). */
const languages = new Set(
  (
    "arduino bash c cpp csharp css diff go graphql ini java javascript json kotlin less lua makefile " +
    "markdown objectivec perl php plaintext python r ruby rust scss shell sql swift typescript vbnet wasm xml yaml"
  ).split(" "),
);

/** Their aliases, as the grammars declare them (listed here so finding one loads nothing). */
const aliases: Record<string, string> = {
  ino: "arduino",
  sh: "bash",
  zsh: "bash",
  h: "c",
  cc: "cpp",
  "c++": "cpp",
  "h++": "cpp",
  hpp: "cpp",
  hh: "cpp",
  hxx: "cpp",
  cxx: "cpp",
  cs: "csharp",
  "c#": "csharp",
  patch: "diff",
  golang: "go",
  gql: "graphql",
  toml: "ini",
  jsp: "java",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsonc: "json",
  json5: "json",
  kt: "kotlin",
  kts: "kotlin",
  mk: "makefile",
  mak: "makefile",
  make: "makefile",
  md: "markdown",
  mm: "objectivec",
  objc: "objectivec",
  "obj-c": "objectivec",
  pl: "perl",
  pm: "perl",
  text: "plaintext",
  txt: "plaintext",
  py: "python",
  gyp: "python",
  ipython: "python",
  rb: "ruby",
  gemspec: "ruby",
  rs: "rust",
  console: "shell",
  shellsession: "shell",
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  vb: "vbnet",
  html: "xml",
  xhtml: "xml",
  svg: "xml",
  plist: "xml",
  yml: "yaml",
};

/** The registered grammar name for a fence's info string, loading the grammar on first use. */
function grammarFor(language: string | undefined): string | undefined {
  const name = language?.trim().split(/\s+/)[0]?.toLowerCase();
  if (name === undefined) return undefined;
  const canonical = languages.has(name) ? name : aliases[name];
  if (canonical === undefined) return undefined;
  if (!lowlight.registered(canonical)) {
    lowlight.register(canonical, require(`highlight.js/lib/languages/${canonical}`) as LanguageFn);
  }
  return canonical;
}

/** highlight.js scopes to SGR colours; unknown scopes stay plain. */
const colours: Record<string, string> = {
  keyword: "35",
  "selector-tag": "35",
  built_in: "36",
  type: "36",
  literal: "33",
  number: "33",
  string: "32",
  regexp: "32",
  "template-string": "32",
  symbol: "32",
  comment: "2",
  quote: "2",
  meta: "2",
  doctag: "2",
  title: "34",
  "title.function": "34",
  "title.class": "36",
  section: "34",
  attr: "36",
  attribute: "36",
  property: "36",
  variable: "31",
  "template-variable": "31",
  params: "",
  subst: "",
  addition: "32",
  deletion: "31",
  tag: "34",
  name: "34",
  "selector-id": "34",
  "selector-class": "33",
};

interface HastNode {
  type: string;
  value?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

function walk(node: HastNode, sgr: string, out: Span[]): void {
  if (node.type === "text") {
    out.push({ text: node.value ?? "", sgr });
    return;
  }
  let inner = sgr;
  const classes = node.properties?.className;
  if (Array.isArray(classes)) {
    for (const name of classes) {
      const scope = String(name).replace(/^hljs-/, "");
      const colour = colours[scope] ?? colours[scope.split(".")[0] ?? ""];
      if (colour !== undefined && colour !== "") inner = colour;
    }
  }
  for (const child of node.children ?? []) walk(child, inner, out);
}

const cache = new Map<string, Span[]>();
const maxCachedLines = 2048;

/**
 * Colours one line of code in the given language (any name or alias highlight.js knows among its
 * common languages); an unknown or missing language gives a plain span.
 *
 * Lines are coloured one at a time (and cached), so redrawing a growing code block costs one line,
 * not the whole block: highlight.js needs about 0.3 ms per line, and a 300-line block redrawn on
 * every token would take ~100 ms per token. The price: a comment or string spanning several lines
 * is coloured only on its first line.
 */
export function highlightLine(line: string, language: string | undefined): Span[] {
  const name = line === "" ? undefined : grammarFor(language);
  if (name === undefined) return [{ text: line, sgr: "" }];
  const key = `${name}\u0000${line}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const out: Span[] = [];
  walk(lowlight.highlight(name, line) as HastNode, "", out);
  if (cache.size >= maxCachedLines) cache.clear();
  cache.set(key, out);
  return out;
}
