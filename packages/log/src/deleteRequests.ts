import type { Database } from "better-sqlite3";
import type { LogDatabase } from "./LogDatabase.js";

/**
 * Deletes logged requests and their content: those started before `before` (epoch ms), or all of
 * them. The file is then compacted (`VACUUM`) and the write-ahead log truncated, so the deleted
 * prompts and answers do not linger in free pages. Returns how many requests were deleted.
 *
 * @example
 * ```ts
 * deleteRequests(openLogDatabase(defaultLogPath()), { before: parseSince("30d") });
 * ```
 */
export function deleteRequests(database: LogDatabase, options: { before?: number } = {}): number {
  const db = database as unknown as Database;
  const { changes } =
    options.before === undefined
      ? db.prepare("DELETE FROM requests").run()
      : db.prepare("DELETE FROM requests WHERE started_at_ms < ?").run(options.before);
  if (changes > 0) {
    db.exec("VACUUM");
    db.pragma("wal_checkpoint(TRUNCATE)");
  }
  return changes;
}
