#!/usr/bin/env node
import { runCli } from "./runCli.js";

// `llmstream … | head` closes the pipe early: that is the reader's choice, not an error to print.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
