import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { ensureDirectory } from "llmstream/node";
import type { LogDatabase } from "./LogDatabase.js";
import { migrate } from "./migrations.js";

/** Options of {@link openLogDatabase}. */
export interface OpenLogDatabaseOptions {
  /** How long to wait for another process's write lock, in ms. @defaultValue 5000 */
  busyTimeoutMs?: number;
}

const require = createRequire(import.meta.url);
let loaded: typeof BetterSqlite3 | undefined;

/**
 * Opens (creating it and its folder if needed) a request log database and brings its schema up to
 * date. WAL mode lets readers (`llmstream logs`) run while `serve` writes; `synchronous = NORMAL`
 * keeps every committed record across a process crash (only an OS crash or power loss can drop the
 * last few) and never corrupts the file.
 *
 * better-sqlite3 is loaded here, on first use, so importing `@llmstream/log` for the OpenTelemetry
 * hooks alone never loads the native module.
 */
export function openLogDatabase(path: string, options: OpenLogDatabaseOptions = {}): LogDatabase {
  return openSqliteDatabase(path, options);
}

/** {@link openLogDatabase} with better-sqlite3's own type, for llmstream's code. @internal */
export function openSqliteDatabase(
  path: string,
  options: OpenLogDatabaseOptions = {},
): BetterSqlite3.Database {
  loaded ??= require("better-sqlite3") as typeof BetterSqlite3;
  if (path !== ":memory:") ensureDirectory(dirname(path));
  const db = new loaded(path);
  try {
    // Set first: every statement after this one may meet another process's lock.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
