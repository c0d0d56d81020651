/**
 * The request log database as `@llmstream/log` publishes it. At run time it is a better-sqlite3
 * `Database` (WAL mode, schema up to date); the type is declared here, structurally, so that the
 * published types need no `@types/better-sqlite3` (a strict project without `skipLibCheck` would
 * fail on the missing types). With those types installed,
 * `db as unknown as import("better-sqlite3").Database` gives the whole API.
 */
export interface LogDatabase {
  /** Whether the connection is open. */
  readonly open: boolean;
  /** The database file. */
  readonly name: string;
  /** Runs a `PRAGMA` and returns its rows (or the single value with `{ simple: true }`). */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Runs SQL statements that return no rows. */
  exec(source: string): this;
  /** Closes the connection. */
  close(): this;
}
