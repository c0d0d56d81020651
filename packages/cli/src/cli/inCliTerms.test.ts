import { readGgufMetadata } from "@llmstream/engine";
import { parseSince } from "@llmstream/log";
import { describe, expect, it } from "vitest";
import { connectionError } from "../../../llmstream/src/client/nodeTransport.js";
import { timeoutError } from "../../../llmstream/src/stream/timeoutError.js";
import { DEFINITIONS } from "../bench/definitions.js";
import { parseUpstream } from "../server/parseUpstream.js";
import { benchTerms, inCliTerms, serveTerms } from "./inCliTerms.js";

function thrownBy(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("did not throw");
}

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

  it("turns the client's connection hints into chat's flags", () => {
    const url = "http://127.0.0.1:9/v1/chat/completions";
    const refused = connectionError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), url);
    expect(refused.message).toMatch(/is baseURL right\?$/);
    expect(inCliTerms(refused.message)).toMatch(/Is the server running, and is --base-url right\?$/);
    const unknown = connectionError(Object.assign(new Error("nope"), { code: "ENOTFOUND" }), url);
    expect(inCliTerms(unknown.message)).toMatch(/Check the host name in --base-url$/);
    const tls = connectionError(Object.assign(new Error("ssl"), { code: "EPROTO" }), url);
    expect(inCliTerms(tls.message)).toMatch(/use http:\/\/ in --base-url$/);
  });

  it("names llmstream pull where the engine names pullModel", async () => {
    const error = await readGgufMetadata("/nonexistent/model.gguf").catch((e: Error) => e);
    expect(inCliTerms((error as Error).message)).toMatch(/download a model with llmstream pull$/);
  });

  it("gives serve, logs and bench their own flags", () => {
    expect(
      inCliTerms(
        thrownBy(() => parseUpstream("not a url")),
        serveTerms,
      ),
    ).toMatch(/^--upstream "not a url" is not a URL; write \[name=\]/);
    expect(
      inCliTerms(
        thrownBy(() => parseSince("soon")),
        [["Cannot read the time", "Cannot read --since"]],
      ),
    ).toMatch(/^Cannot read --since "soon": give a duration/);
    const definitions = Object.fromEntries(
      DEFINITIONS.map(([name, text]) => [inCliTerms(name, benchTerms), inCliTerms(text, benchTerms)]),
    );
    expect(definitions["open loop (--rate)"]).toBeDefined();
    expect(definitions.goodput).toMatch(/meeting every --slo/);
    // bench has no --idle-timeout: a request's whole-time limit is --request-timeout.
    expect(inCliTerms(timeoutError("total", 1000, "u").message, benchTerms)).toMatch(
      /raise --request-timeout or lower --max-tokens$/,
    );
  });
});
