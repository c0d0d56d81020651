import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
// A test that logs with every default, and the in-process CLI tests of `logs`.
const writers = ["test/setup/defaultLogLocation.test.ts", "packages/cli/src/cli/commands/logs.test.ts"];

describe("tests and the user's data folder", () => {
  it("run the log-writing tests under a temporary HOME: nothing lands in its llmstream data folder", async () => {
    const home = mkdtempSync(join(tmpdir(), "llmstream-fake-home-"));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, NO_COLOR: "1" };
    delete env.FORCE_COLOR;
    for (const name of Object.keys(env)) if (/^(LLMSTREAM_|XDG_)/.test(name)) delete env[name];
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...writers],
        { cwd: root, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: stdout + stderr }),
      );
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Test Files\s+2 passed/);
    expect(existsSync(join(home, ".local", "share", "llmstream"))).toBe(false);
    expect(readdirSync(home).filter((name) => name !== ".npm" && name !== ".cache")).toEqual([]);
  }, 150_000);
});
