/**
 * The process exit codes of every `llmstream` command, documented in each command's `--help` and the
 * README. A module of its own so that commands can import it without importing the program
 * (`runCli.ts` imports every command).
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  connection: 3,
  http: 4,
  timeout: 5,
  protocol: 6,
  interrupted: 130,
  /** SIGTERM (`timeout`, `docker stop`, systemd): handled like Ctrl-C, with the conventional 128 + 15. */
  terminated: 143,
} as const;
