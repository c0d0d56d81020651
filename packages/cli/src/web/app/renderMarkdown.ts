import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import { Marked, type Token, type Tokens } from "marked";
import { safeImageUrl, safeLinkUrl } from "./safeUrl.js";

// A few common languages keep the bundle small; anything else is shown as plain, escaped code.
for (const [name, language] of Object.entries({
  bash,
  go,
  javascript,
  json,
  python,
  rust,
  typescript,
  xml,
})) {
  hljs.registerLanguage(name, language);
}
hljs.registerAliases(["sh", "shell", "zsh"], { languageName: "bash" });
hljs.registerAliases(["js", "jsx", "mjs"], { languageName: "javascript" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["py"], { languageName: "python" });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const base = () => globalThis.location?.href ?? "http://localhost/";

const markdown = new Marked({
  gfm: true,
  renderer: {
    // Raw HTML in model output is text: it is shown, never parsed.
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link) {
      const label = this.parser.parseInline(tokens);
      const safe = safeLinkUrl(href, base());
      if (safe === undefined)
        return `<span class="refused-link" title="Link refused: ${escapeHtml(href)}">${label}</span>`;
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(safe)}"${titleAttribute} rel="noopener noreferrer nofollow" target="_blank">${label}</a>`;
    },
    // Images load only on a click, so an answer cannot make the browser contact a third party.
    image({ href, text }: Tokens.Image) {
      const safe = safeImageUrl(href, base());
      if (safe === undefined)
        return `<span class="refused-image">[image refused: ${escapeHtml(text)}]</span>`;
      const host = new URL(safe).host;
      return `<button type="button" class="load-image" data-src="${escapeHtml(safe)}" data-alt="${escapeHtml(text)}">Load image${text ? ` “${escapeHtml(text)}”` : ""} from ${escapeHtml(host)}</button>`;
    },
    code({ text, lang }: Tokens.Code) {
      const language = (lang ?? "").trim().split(/\s+/)[0] ?? "";
      const known = language !== "" && hljs.getLanguage(language) !== undefined;
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      return `<div class="code-block"><div class="code-head"><span>${escapeHtml(language || "text")}</span><button type="button" class="copy-code">Copy</button></div><pre><code class="hljs">${body}</code></pre></div>`;
    },
  },
});

let hooked = false;
function installHooks() {
  if (hooked) return;
  hooked = true;
  DOMPurify.setConfig(SANITIZE_CONFIG);
  // The sanitiser re-checks what the browser will see: link targets after entity decoding, no
  // `src` anywhere (images wait for a click), no inline style.
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.hasAttribute("href")) {
      const safe = safeLinkUrl(node.getAttribute("href") ?? "", base());
      if (safe === undefined) node.removeAttribute("href");
      else {
        node.setAttribute("href", safe);
        node.setAttribute("rel", "noopener noreferrer nofollow");
        node.setAttribute("target", "_blank");
      }
    }
    if (
      node.hasAttribute("data-src") &&
      safeImageUrl(node.getAttribute("data-src") ?? "", base()) === undefined
    ) {
      node.removeAttribute("data-src");
    }
    for (const name of ["src", "srcset", "style", "action", "formaction", "xlink:href"])
      node.removeAttribute(name);
  });
}

/** The sanitised DOM for one markdown block (a `marked` token). */
export function renderToken(token: Token): DocumentFragment {
  return sanitize(markdown.parser([token]));
}

/** The sanitised DOM for a markdown text of any length (lexed here). */
export function renderText(text: string): DocumentFragment {
  return sanitize(markdown.parse(text, { async: false }));
}

/** Lexes markdown with the page's options (the growing block is lexed again after completion). */
export function lexMarkdown(text: string): Token[] {
  return markdown.lexer(text);
}

function sanitize(html: string): DocumentFragment {
  installHooks();
  // The config was set once (setConfig), so DOMPurify does not parse it again on every frame; it
  // returns a fragment as that config says, which its typings cannot see here.
  return DOMPurify.sanitize(html) as unknown as DocumentFragment;
}

const SANITIZE_CONFIG = {
  RETURN_DOM_FRAGMENT: true,
  FORBID_TAGS: [
    "style",
    "img",
    "form",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "video",
    "audio",
    "source",
  ],
  ADD_ATTR: ["target"],
} as const satisfies import("dompurify").Config;
