import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { createRequestLog } from "../../packages/log/src/createRequestLog.js";
import { makeFinishInfo } from "../../packages/log/src/finishInfo.test-helper.js";
import { defaultLogPath } from "../../packages/log/src/llmstreamHome.js";

// What a careless test does: log with every default (process.env, the default path). The setup file
// must have moved that into a temporary folder; isolateHome.test.ts runs this under a fake HOME.
describe("a request logged with the defaults in a test", () => {
  it("lands in the temporary LLMSTREAM_HOME the setup file made", async () => {
    const path = defaultLogPath();
    expect(path.startsWith(tmpdir())).toBe(true);
    const log = createRequestLog({ source: "chat" });
    log.onFinish(makeFinishInfo());
    await log.close();
    expect(existsSync(path)).toBe(true);
  });
});
