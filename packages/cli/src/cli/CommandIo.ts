/**
 * Where a command writes and the environment it reads: the process's by default, injectable for
 * tests. The convention every command follows: its action is `exit.code = await run…(…, io)`, where
 * `run…` writes results on `io.stdout`, messages on `io.stderr`, and resolves to an `ExitCode`
 * (exitCodes.ts); nothing calls `process.exit()` with output pending, so stdout drains.
 */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The process's stdout, stderr and environment. */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
