import { describe, expect, it } from "vitest";
import { runParserScript } from "../sse/runParserScript.test-helper.js";

interface Result {
  growthMb: number;
  errors: { reason: string; fedBeforeChunk: number }[];
  seconds: number;
}

// A 64 MiB line in 64 KiB chunks, each a fresh string of two-byte characters (128 KiB), so a parser
// that kept the whole line would hold ~128 MB.
const script = `
import { createNdjsonParser } from "./ndjson/createNdjsonParser.js";
const chunkLength = 64 * 1024;
const total = 64 * 1024 * 1024;
const parser = createNdjsonParser({ onLine() {} });
const errors = [];
const body = "ж".repeat(chunkLength - 8);
const started = process.cpuUsage();
const baseline = process.memoryUsage().rss;
let peak = baseline;
for (let fed = 0, index = 0; fed < total; index++) {
  // A fresh string per chunk: the parser's indexOf flattens it into its own 128 KiB copy.
  const chunk = String(index).padStart(8, "0") + body;
  try {
    parser.feed(chunk);
  } catch (error) {
    errors.push({ reason: error.reason, fedBeforeChunk: fed });
  }
  fed += chunk.length;
  // Collect now and then so RSS shows what is retained, not the garbage a lazy GC has not reclaimed yet
  // (without it, the peak is ~117 MB for this parser and ~138 MB for one that keeps the whole line).
  if (index % 16 === 0) gc();
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
}
const used = process.cpuUsage(started);
const seconds = (used.user + used.system) / 1e6;
console.log(JSON.stringify({ growthMb: (peak - baseline) / 2 ** 20, errors, seconds }));
`;

describe("createNdjsonParser memory", () => {
  it("fails a 64 MiB line at the 8 Mi character limit while RSS grows by far less than 100 MB", async () => {
    const result = await runParserScript<Result>(script);
    const limit = 8 * 1024 * 1024;
    expect(result.errors[0]?.reason).toBe("line-too-long");
    expect(result.errors[0]?.fedBeforeChunk).toBeGreaterThan(limit - 64 * 1024);
    expect(result.errors[0]?.fedBeforeChunk).toBeLessThanOrEqual(limit);
    expect(result.errors.length).toBeGreaterThanOrEqual(7);
    expect(result.growthMb).toBeLessThan(100);
    // CPU time, not wall time, so a busy machine does not make this flaky; about 1.5 s when idle.
    expect(result.seconds).toBeLessThan(20);
  });
});
