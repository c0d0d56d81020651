import { describe, expect, it } from "vitest";
import { timeoutError } from "../../stream/timeoutError.js";
import { inCliTerms } from "./inCliTerms.js";

describe("inCliTerms", () => {
  it("names chat's flags where the library names its options", () => {
    const url = "http://127.0.0.1:1/v1/chat/completions";
    expect(timeoutError("idle", 500, url).message).toMatch(/raise timeouts\.idleMs/);
    expect(inCliTerms(timeoutError("idle", 500, url).message)).toMatch(
      /raise --idle-timeout if it is just slow$/,
    );
    expect(inCliTerms(timeoutError("first-token", 200, url).message)).toMatch(/raise --first-token-timeout$/);
    expect(inCliTerms(timeoutError("total", 1000, url).message)).toMatch(
      /raise --timeout or lower --max-tokens$/,
    );
    expect(inCliTerms("nothing to change")).toBe("nothing to change");
  });
});
