import type { Protocol } from "llmstream";

/** One configured upstream server. */
export interface UpstreamConfig {
  name: string;
  /** Base URL as `streamChat` takes it (`…/v1` for OpenAI, the root for Ollama native). */
  url: string;
  protocol: Protocol;
  apiKey?: string;
}

const protocols = ["openai", "ollama", "responses"];

/**
 * Parses an `--upstream` value: `[name=][protocol+]URL`. Without a protocol, a URL with a path
 * (`http://host:8080/v1`) is OpenAI-compatible and a bare origin (`http://host:11434`) is Ollama's
 * native API. The name defaults to `host:port`. `protocol` is passed to `streamChat` as it is.
 *
 * @throws {TypeError} naming the value when it is not an http(s) URL or the protocol is unknown.
 */
export function parseUpstream(value: string): UpstreamConfig {
  const equals = value.indexOf("=");
  const hasName = equals > 0 && !value.slice(0, equals).includes("://");
  let rest = hasName ? value.slice(equals + 1) : value;
  let protocol: string | undefined;
  const plus = rest.indexOf("+");
  if (plus > 0 && protocols.includes(rest.slice(0, plus))) {
    protocol = rest.slice(0, plus);
    rest = rest.slice(plus + 1);
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new TypeError(
      `Upstream "${value}" is not a URL; write [name=][openai+|ollama+|responses+]http://host:port/v1`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError(`Upstream "${value}" must be an http:// or https:// URL`);
  const path = url.pathname.replace(/\/+$/, "");
  protocol ??= path === "" ? "ollama" : "openai";
  const base = `${url.origin}${path}`;
  return { name: hasName ? value.slice(0, equals) : url.host, url: base, protocol: protocol as Protocol };
}
