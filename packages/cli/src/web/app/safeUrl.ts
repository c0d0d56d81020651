/** The URL schemes a link in model output may use. Everything else (`javascript:`, `data:`, `vbscript:`, …) is refused. */
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
/** Images load only from the web, and only after a click: never `data:` or `blob:`. */
const IMAGE_PROTOCOLS = new Set(["http:", "https:"]);

function resolve(url: string, base: string, allowed: Set<string>): string | undefined {
  let parsed: URL;
  try {
    // The URL parser does what a browser does with the attribute: it drops tabs and newlines
    // ("java\tscript:") and leading control characters, and decodes nothing else.
    parsed = new URL(url, base);
  } catch {
    return undefined;
  }
  return allowed.has(parsed.protocol) ? parsed.href : undefined;
}

/**
 * The link target to use for `href` as the page's code will see it (after HTML entity decoding), or
 * `undefined` when it must not be a link: a scheme other than http, https and mailto, or not a URL.
 * Relative links resolve against `base` (the page's address).
 */
export function safeLinkUrl(href: string, base: string): string | undefined {
  return resolve(href, base, LINK_PROTOCOLS);
}

/** The image address to load on click, or `undefined` when it must never load (not http or https). */
export function safeImageUrl(src: string, base: string): string | undefined {
  return resolve(src, base, IMAGE_PROTOCOLS);
}
