import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../../../../../test/cli/cliProcess.js";
import { readPipeWithGrace, readStdin, stdinKind } from "./readStdin.js";

describe("readStdin", () => {
  it("reads to the end and joins a character split across chunks", async () => {
    const bytes = Buffer.from("naïve 🙂 text");
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 8), bytes.subarray(8)];
    expect(await readStdin(Readable.from(chunks))).toBe("naïve 🙂 text");
  });

  it("reads an empty input as an empty string", async () => {
    expect(await readStdin(Readable.from([]))).toBe("");
  });

  it("refuses input over the limit", async () => {
    const input = Readable.from([Buffer.alloc(6), Buffer.alloc(6)]);
    await expect(readStdin(input, { maxBytes: 10 })).rejects.toThrow(/larger than 10 bytes/);
  });
});

describe("readPipeWithGrace", () => {
  it("reads a pipe to its end while it keeps delivering", async () => {
    const input = new PassThrough();
    const read = readPipeWithGrace(input, { graceMs: 200 });
    input.write("first ");
    setTimeout(() => input.end("second"), 50);
    expect(await read).toEqual({ text: "first second", ended: true });
  });

  it("gives up on a pipe nobody writes to after the grace window, and destroys it", async () => {
    const input = new PassThrough();
    const started = performance.now();
    expect(await readPipeWithGrace(input, { graceMs: 50 })).toEqual({ text: "", ended: false });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(input.destroyed).toBe(true);
  });

  it("keeps what arrived when the pipe then goes quiet without closing", async () => {
    const input = new PassThrough();
    const read = readPipeWithGrace(input, { graceMs: 50 });
    input.write("partial");
    expect(await read).toEqual({ text: "partial", ended: false });
  });
});

describe("stdinKind", () => {
  it("never reads a terminal; a file or device is read to its end; anything else is a pipe", () => {
    expect(stdinKind({ isTTY: true, fd: 0 })).toBe("terminal");
    const fd = openSync(fileURLToPath(import.meta.url), "r");
    try {
      expect(stdinKind({ fd })).toBe("file");
    } finally {
      closeSync(fd);
    }
    expect(stdinKind({})).toBe("pipe");
  });
});

describe("stdinKind and symlinked packages", () => {
  /**
   * A child with its stdin an open pipe, as `spawn` gives it, that classifies stdin the way `code`
   * does and then imports a package installed as a symlink (an npm workspace, pnpm): what
   * `import.meta.url` the package sees.
   */
  function importedUrlAfter(code: string): string {
    const project = mkdtempSync(join(tmpdir(), "llmstream-stdin-realpath-"));
    mkdirSync(join(project, "real"));
    writeFileSync(
      join(project, "real", "package.json"),
      '{"name":"linked","type":"module","exports":"./index.js"}',
    );
    writeFileSync(join(project, "real", "index.js"), "export const url = import.meta.url;\n");
    mkdirSync(join(project, "node_modules"));
    symlinkSync(join(project, "real"), join(project, "node_modules", "linked"));
    writeFileSync(
      join(project, "child.mjs"),
      `import { fstatSync } from "node:fs";\n${code}\nconst { url } = await import("linked");\nconsole.log(url);\nprocess.exit(0);\n`,
    );
    const child = spawnSync(process.execPath, [join(project, "child.mjs")], {
      input: undefined,
      stdio: ["pipe", "pipe", "inherit"],
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.status).toBe(0);
    return child.stdout.trim().replace(realpathSync(project), "<project>").replace(project, "<project>");
  }

  it("Node 20's plain fstatSync of a pipe makes the loader keep the link path (the quirk worked around)", () => {
    expect(importedUrlAfter("fstatSync(0);")).toMatch(/<project>\/node_modules\/linked\/index\.js$/);
    expect(importedUrlAfter("")).toMatch(/<project>\/real\/index\.js$/);
  });

  it("stdinKind leaves the loader resolving to the real path (the built module, in the child)", () => {
    ensureBuilt();
    const built = new URL("../../../dist/cli/chat/readStdin.js", import.meta.url).href;
    const url = importedUrlAfter(
      `const { stdinKind } = await import(${JSON.stringify(built)});\nif (stdinKind(process.stdin) !== "pipe") process.exit(3);`,
    );
    expect(url).toMatch(/<project>\/real\/index\.js$/);
  });
});
