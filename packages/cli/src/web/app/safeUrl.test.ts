import { describe, expect, it } from "vitest";
import { safeImageUrl, safeLinkUrl } from "./safeUrl.js";

const base = "http://127.0.0.1:8080/";

describe("safeLinkUrl", () => {
  it("keeps web and mail links, resolving relative ones", () => {
    expect(safeLinkUrl("https://example.com/a?b=1#c", base)).toBe("https://example.com/a?b=1#c");
    expect(safeLinkUrl("HTTP://EXAMPLE.com", base)).toBe("http://example.com/");
    expect(safeLinkUrl("mailto:a@b.c", base)).toBe("mailto:a@b.c");
    expect(safeLinkUrl("/docs#x", base)).toBe("http://127.0.0.1:8080/docs#x");
    expect(safeLinkUrl("#top", base)).toBe("http://127.0.0.1:8080/#top");
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\u0000javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "jav\r\nascript:alert(1)",
    "javascript://%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "blob:http://127.0.0.1/x",
    "http://[::1",
  ])("refuses %j", (url) => {
    expect(safeLinkUrl(url, base)).toBeUndefined();
  });
});

describe("safeImageUrl", () => {
  it("allows http(s) images only", () => {
    expect(safeImageUrl("https://example.com/a.png", base)).toBe("https://example.com/a.png");
    expect(safeImageUrl("x.png", base)).toBe("http://127.0.0.1:8080/x.png");
    expect(safeImageUrl("data:image/png;base64,AAAA", base)).toBeUndefined();
    expect(safeImageUrl("javascript:alert(1)", base)).toBeUndefined();
    expect(safeImageUrl("mailto:a@b.c", base)).toBeUndefined();
  });
});
