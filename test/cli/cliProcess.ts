import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI: tests drive the real program as a subprocess. */
export const cliPath = fileURLToPath(new URL("../../packages/cli/dist/cli/main.js", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

/** Builds every package when the CLI's `dist/` is missing (the test command builds first; a bare `vitest` may not). */
export function ensureBuilt(): void {
  if (!existsSync(cliPath)) execFileSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" });
}

let testHome: string | undefined;

/**
 * The environment for the CLI: the parent's, minus everything that would change which server or
 * model it talks to, and with colours off, so the user's shell never changes a test's outcome.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(LLMSTREAM_|OPENAI_|OLLAMA_)/.test(name) || name === "NO_COLOR" || name === "FORCE_COLOR")
      delete env[name];
  }
  // The request log goes to a throwaway folder, never the user's data dir.
  testHome ??= mkdtempSync(join(tmpdir(), "llmstream-cli-test-"));
  env.LLMSTREAM_HOME = testHome;
  return { ...env, ...extra };
}

/** A running CLI process with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout satisfies `predicate`; rejects after `timeoutMs`. */
  waitForStdout(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How a test starts the CLI. */
export interface CliOptions {
  /** Written to stdin, which is then closed (no input: stdin is empty). */
  input?: string;
  env?: Record<string, string>;
  /** Leave stdin an open pipe that nobody writes to, as a parent's default `spawn` stdio does. */
  keepStdinOpen?: boolean;
  /** Run as this user (and its group): how a test running as root meets a read-only folder. */
  uid?: number;
}

/** Starts `llmstream <args>`. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: cleanEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const waiters = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    out.push(chunk);
    for (const waiter of [...waiters]) waiter();
  });
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  child.stdin.on("error", () => {});
  if (options.keepStdinOpen !== true) child.stdin.end(options.input ?? "");
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = () => Buffer.concat(out).toString("utf8");
  return {
    child,
    stdout,
    stderr: () => Buffer.concat(err).toString("utf8"),
    exited,
    waitForStdout(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(stdout())) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(stdout());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for stdout; got: ${JSON.stringify(stdout())}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** What a finished CLI run produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run, ms. */
  ms: number;
}

/** Runs `llmstream <args>` to the end; kills it and fails after `timeoutMs` so a hang is a test failure. */
export async function runCli(
  args: string[],
  options: CliOptions & { timeoutMs?: number } = {},
): Promise<CliRun> {
  const started = performance.now();
  const cli = startCli(args, options);
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill("SIGKILL");
      reject(new Error(`llmstream ${args.join(" ")} did not exit within ${timeoutMs} ms: ${cli.stderr()}`));
    }, timeoutMs);
  });
  try {
    const { code } = await Promise.race([cli.exited, hung]);
    return { code, stdout: cli.stdout(), stderr: cli.stderr(), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
    cli.child.stdin?.destroy();
  }
}

/** Runs a shell command line (a pipeline through the CLI) to the end, in the CLI's clean environment. */
export function runShell(
  command: string,
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-c", command],
      {
        env: cleanEnv(options.env),
        timeout: options.timeoutMs ?? 10_000,
        killSignal: "SIGKILL",
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        if (error?.killed) {
          reject(new Error(`${command} did not exit in time: ${stderr}`));
          return;
        }
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}
