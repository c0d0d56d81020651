import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDirectory } from "./ensureDirectory.js";

const scratch = () => mkdtempSync(join(tmpdir(), "llmstream-ensure-dir-"));

describe("ensureDirectory", () => {
  it("creates every missing level and accepts a folder that exists", () => {
    const deep = join(scratch(), "a", "b", "c");
    ensureDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(() => ensureDirectory(deep)).not.toThrow();
  });

  it("names the file that stands in the way", () => {
    const file = join(scratch(), "in-the-way");
    writeFileSync(file, "");
    expect(() => ensureDirectory(join(file, "home"))).toThrow(`${file} is a file, not a folder`);
    expect(() => ensureDirectory(file)).toThrow(/is a file, not a folder: move it away or choose another/);
  });

  it("refuses /proc and /sys at once (Node 20's recursive mkdir spins forever under /proc)", () => {
    const started = performance.now();
    expect(() => ensureDirectory("/proc/nope/deeper")).toThrow(/\/proc is a virtual file system/);
    expect(() => ensureDirectory("/sys/nope")).toThrow(/\/sys is a virtual file system/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("will not create a folder directly at the file system root", () => {
    const name = `/llmstream-ensure-dir-test-${process.pid}`;
    expect(() => ensureDirectory(join(name, "logs"))).toThrow(
      `Will not create ${name} at the file system root`,
    );
    expect(existsSync(name)).toBe(false);
  });
});
