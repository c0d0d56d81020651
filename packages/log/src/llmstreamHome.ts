import { homedir } from "node:os";
import { join } from "node:path";

/** What {@link llmstreamHome} reads; defaults to this process. */
export interface HomeEnvironment {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/**
 * The folder where llmstream keeps its data (the request log). `LLMSTREAM_HOME` overrides it;
 * otherwise it is `llmstream` inside the platform's user data folder:
 * `$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on macOS,
 * `%APPDATA%` on Windows.
 *
 * @example
 * ```ts
 * llmstreamHome(); // "/home/me/.local/share/llmstream"
 * ```
 */
export function llmstreamHome(environment: HomeEnvironment = {}): string {
  const env = environment.env ?? process.env;
  const platform = environment.platform ?? process.platform;
  const home = environment.homedir ?? homedir();
  const override = env.LLMSTREAM_HOME;
  if (override) return override;
  if (platform === "darwin") return join(home, "Library", "Application Support", "llmstream");
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "llmstream");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "llmstream");
}

/** The default SQLite request log: `logs.db` in {@link llmstreamHome}. */
export function defaultLogPath(environment: HomeEnvironment = {}): string {
  return join(llmstreamHome(environment), "logs.db");
}
