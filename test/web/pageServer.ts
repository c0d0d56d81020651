import { createMockServer, type MockServer } from "@llmstream/mock";
import { type CliProcess, ensureBuilt, startCli } from "../cli/cliProcess.js";

/** A running `llmstream serve` for the browser tests. */
export interface PageServer {
  /** The page's address, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  /** The serve process (its stderr carries the access log). */
  cli: CliProcess;
  /** Stops serve (SIGTERM) and waits for it to exit; then closes the mock, if any. */
  close(): Promise<void>;
}

/** Serve as a relay in front of the project's mock server. */
export interface RelayPageServer extends PageServer {
  /** The mock upstream that answers `/v1/*` (choose scenarios with `mock.enqueue`). */
  mock: MockServer;
}

const startLine = /^llmstream serve: (http:\/\/127\.0\.0\.1:\d+)\/v1 \(.*\)\n$/;

/**
 * The real program: `node packages/cli/dist/cli/main.js serve --port 0 <args> --no-log` as a subprocess, its
 * one stdout line read for the address. A subprocess rather than the modules in-process, so the
 * page meets exactly what a person who runs `llmstream serve` gets (flags, access log, shutdown).
 */
export async function startServe(args: string[]): Promise<PageServer> {
  ensureBuilt();
  const cli = startCli(["serve", "--port", "0", "--no-log", "--grace", "1", ...args]);
  let line: string;
  try {
    line = await cli.waitForStdout((out) => out.includes("\n"), 30_000);
  } catch (error) {
    cli.child.kill("SIGKILL");
    throw new Error(`serve did not start: ${(error as Error).message}; stderr: ${cli.stderr()}`);
  }
  const origin = startLine.exec(line)?.[1];
  if (origin === undefined) {
    cli.child.kill("SIGKILL");
    throw new Error(`Unexpected start line: ${JSON.stringify(line)}; stderr: ${cli.stderr()}`);
  }
  return {
    url: `${origin}/`,
    cli,
    async close() {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGTERM");
      const timer = setTimeout(() => cli.child.kill("SIGKILL"), 10_000);
      try {
        const { code } = await cli.exited;
        if (code !== 0) throw new Error(`serve exited with ${code}; stderr: ${cli.stderr()}`);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `llmstream serve --upstream <mock>`: the page and the API, relayed to the mock server. */
export async function startPageServer(): Promise<RelayPageServer> {
  const mock = await createMockServer();
  let serve: PageServer;
  try {
    serve = await startServe(["--upstream", `${mock.url}/v1`]);
  } catch (error) {
    await mock.close();
    throw error;
  }
  return {
    ...serve,
    mock,
    async close() {
      try {
        await serve.close();
      } finally {
        await mock.close();
      }
    },
  };
}
