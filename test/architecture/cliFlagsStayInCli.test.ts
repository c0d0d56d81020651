import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { createProgram } from "../../packages/cli/src/cli/runCli.js";
import { sourceFiles } from "./sourceFiles.js";

// Library messages speak in library terms (`timeouts.idleMs`, `baseURL`); the CLI puts its flag names
// in their place (packages/cli/src/cli/inCliTerms.ts). So no string in the shipped source outside the CLI may
// name one of the CLI's flags. The flags come from the real commander program, so a new flag is
// checked as soon as it exists. Comments may name flags (they document the CLI's use of an option).
const src = fileURLToPath(new URL("../../packages/", import.meta.url));
/**
 * The CLI, and the chat page that `serve` hands out: the page is the serve command's own surface
 * and tells its reader how the server was started (`serve --api-key`).
 */
const CLI_SURFACES = ["cli/src/cli/", "cli/src/web/"];

/** Every long flag of `command` and its subcommands, `--help` and `--version` included. */
function longFlags(command: Command): Set<string> {
  const flags = new Set<string>();
  const visit = (cmd: Command) => {
    for (const option of [...cmd.options, ...cmd.createHelp().visibleOptions(cmd)]) {
      if (option.long !== undefined) flags.add(option.long);
    }
    for (const sub of cmd.commands) visit(sub);
  };
  visit(command);
  return flags;
}

/** The text of every string literal and template literal piece in `code`. */
function stringsIn(file: string, code: string): string[] {
  const strings: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      strings.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true));
  return strings;
}

/** The flags named in `code`'s strings, as `flag in "string"`. */
function flagsNamedIn(file: string, code: string, flags: ReadonlySet<string>): string[] {
  const pattern = new RegExp(
    `(?<![\\w-])(${[...flags].map((flag) => flag.replace(/[-]/g, "\\-")).join("|")})(?![\\w-])`,
    "g",
  );
  return stringsIn(file, code).flatMap((text) =>
    [...text.matchAll(pattern)].map((match) => `${match[1]} in ${JSON.stringify(text)}`),
  );
}

describe("CLI flags stay in the CLI", () => {
  const flags = longFlags(createProgram().program);

  it("knows every command's flags from the program itself", () => {
    for (const flag of ["--base-url", "--first-token-timeout", "--no-log", "--older-than", "--upstream"]) {
      expect(flags).toContain(flag);
    }
    expect(flags).toContain("--help");
    expect(flags.size).toBeGreaterThan(60);
  });

  it("finds a flag in a string and a template, not in a comment or a longer flag", () => {
    const code = [
      "// raise --idle-timeout",
      'const a = "raise --idle-timeout";',
      ["const b = `use $", "{x} --base-url`;"].join(""),
      'const c = "--base-url-extra or ---base-url";',
      'const d = "timeouts.idleMs";',
    ].join("\n");
    expect(flagsNamedIn("example.ts", code, flags)).toEqual([
      '--idle-timeout in "raise --idle-timeout"',
      '--base-url in " --base-url"',
    ]);
  });

  it("no file outside the CLI's cli/ folder (and the serve page) names one in a string", () => {
    const found = [...sourceFiles(src)]
      .filter((file) => !CLI_SURFACES.some((folder) => relative(src, file).startsWith(folder)))
      .flatMap((file) =>
        flagsNamedIn(file, readFileSync(file, "utf8"), flags).map((hit) => `${relative(src, file)}: ${hit}`),
      );
    expect(found).toEqual([]);
  });
});
