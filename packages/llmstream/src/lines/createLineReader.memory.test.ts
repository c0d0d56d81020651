import { describe, expect, it } from "vitest";
import { runParserScript } from "../sse/runParserScript.test-helper.js";

interface Result {
  growthMb: number;
  errors: { reason: string; fedBeforeChunk: number }[];
  seconds: number;
}

// A 64 MiB line in fresh 64 KiB Buffers, as a socket delivers them: a reader that kept the whole line
// would hold 64 MB of Buffers plus its decoded string.
const script = `
import { createLineReader } from "./lines/createLineReader.js";
const chunkBytes = 64 * 1024;
const total = 64 * 1024 * 1024;
const reader = createLineReader({ breaks: "cr-lf", label: "SSE line" });
const errors = [];
const started = process.cpuUsage();
const baseline = process.memoryUsage().rss;
let peak = baseline;
for (let fed = 0, index = 0; fed < total; index++) {
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  reader.push(chunk);
  try {
    while (reader.next() !== undefined) {}
  } catch (error) {
    errors.push({ reason: error.reason, fedBeforeChunk: fed });
  }
  fed += chunk.length;
  // Collect now and then so RSS shows what is retained, not garbage a lazy GC has not reclaimed yet.
  if (index % 16 === 0) gc();
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
}
const used = process.cpuUsage(started);
console.log(JSON.stringify({ growthMb: (peak - baseline) / 2 ** 20, errors, seconds: (used.user + used.system) / 1e6 }));
`;

describe("createLineReader memory", () => {
  it("fails a 64 MiB line at the 8 MiB limit while RSS grows by far less than the line", async () => {
    const result = await runParserScript<Result>(script);
    const limit = 8 * 1024 * 1024;
    expect(result.errors[0]?.reason).toBe("line-too-long");
    expect(result.errors[0]?.fedBeforeChunk).toBeGreaterThan(limit - 64 * 1024);
    expect(result.errors[0]?.fedBeforeChunk).toBeLessThanOrEqual(limit);
    expect(result.errors.length).toBeGreaterThanOrEqual(7);
    expect(result.growthMb).toBeLessThan(40);
    // CPU time, not wall time, so a busy machine does not make this flaky.
    expect(result.seconds).toBeLessThan(20);
  });
});
