import { createHash, timingSafeEqual } from "node:crypto";

const loopbackNames = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** The hostname of a `Host` header value (`[::1]:8080` → `[::1]`, `a.test:80` → `a.test`). */
export function hostnameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? value : value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(":");
  return colon < 0 ? value : value.slice(0, colon);
}

/**
 * Whether a `Host` header may reach this server: loopback names, an allowed host (by name or
 * `name:port`), or the address it is bound to when that is not a wildcard. Anything else is a DNS
 * rebinding attempt (a web page's own name resolving to 127.0.0.1) and is refused.
 */
export function isAllowedHost(host: string | null, allowed: readonly string[], bindHost?: string): boolean {
  if (host === null || host === "") return false;
  const name = hostnameOf(host);
  if (loopbackNames.has(name) || /^127(\.\d{1,3}){3}$/.test(name)) return true;
  if (bindHost !== undefined && bindHost !== "0.0.0.0" && bindHost !== "::" && hostnameOf(bindHost) === name)
    return true;
  const lower = host.trim().toLowerCase();
  return allowed.some((entry) => {
    const wanted = entry.trim().toLowerCase();
    return wanted === lower || wanted === name;
  });
}

/**
 * Checks `Authorization: Bearer <key>` in constant time: both sides are hashed first, so neither the
 * key's length nor its prefix leaks through timing.
 */
export function createBearerCheck(apiKey: string): (authorization: string | null) => boolean {
  const expected = createHash("sha256").update(apiKey).digest();
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}

/**
 * CORS headers for `origin`: only an origin in `allowed` (or any, when `allowed` holds `*`) gets
 * `Access-Control-Allow-Origin`. Credentials are never allowed, so `*` stays safe.
 */
export function corsHeaders(origin: string | null, allowed: readonly string[]): Record<string, string> {
  if (origin === null || allowed.length === 0) return {};
  if (allowed.includes("*")) return { "access-control-allow-origin": "*" };
  if (!allowed.includes(origin)) return {};
  return { "access-control-allow-origin": origin, vary: "Origin" };
}
