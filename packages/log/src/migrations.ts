import type { Database } from "better-sqlite3";

/**
 * The request log's schema, one step per version. `PRAGMA user_version` holds how many steps a
 * database has had; {@link migrate} runs the rest. Append new steps; never edit a shipped one.
 *
 * Content lives in its own table so listing requests never pages in prompts and answers.
 */
/** @internal */
export const migrations: readonly ((db: Database) => void)[] = [
  (db) => {
    db.exec(`
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        host TEXT NOT NULL,
        protocol TEXT NOT NULL,
        model TEXT NOT NULL,
        response_model TEXT,
        finish_reason TEXT NOT NULL,
        raw_finish_reason TEXT,
        error_code TEXT,
        error_message TEXT,
        http_status INTEGER,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        total_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER,
        token_source TEXT NOT NULL,
        ttft_ms REAL,
        ttfat_ms REAL,
        tpot_ms REAL,
        e2e_ms REAL NOT NULL,
        tokens_per_second REAL,
        chunk_gap_p50_ms REAL,
        chunk_gap_p99_ms REAL,
        chunks INTEGER NOT NULL,
        token_chunks INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        server_timings TEXT,
        warnings TEXT NOT NULL,
        has_content INTEGER NOT NULL
      );
      CREATE INDEX requests_started_at ON requests (started_at_ms);
      CREATE INDEX requests_model ON requests (model, started_at_ms);
      CREATE TABLE request_content (
        id TEXT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
        messages TEXT NOT NULL,
        text TEXT NOT NULL,
        reasoning TEXT NOT NULL,
        tool_calls TEXT NOT NULL
      );
    `);
  },
  // 2: the relay upstream that answered (`serve`), NULL for everything else.
  (db) => {
    db.exec("ALTER TABLE requests ADD COLUMN upstream TEXT");
  },
];

/** The schema version this code writes. */
export const schemaVersion = migrations.length;

/**
 * Brings a database up to {@link schemaVersion}. Safe when several processes open a new database at
 * once: the version is read again inside an immediate (write-locked) transaction.
 * @internal
 */
export function migrate(db: Database): void {
  if (currentVersion(db) === schemaVersion) return;
  db.transaction(() => {
    const version = currentVersion(db);
    if (version > schemaVersion) {
      throw new Error(
        `The request log ${db.name} has schema version ${version}, newer than this llmstream understands (${schemaVersion}): upgrade llmstream, or point LLMSTREAM_HOME elsewhere`,
      );
    }
    for (let step = version; step < schemaVersion; step++) migrations[step]!(db);
    // PRAGMA takes no bound parameters; schemaVersion is an integer we own.
    db.pragma(`user_version = ${schemaVersion}`);
  }).immediate();
}

function currentVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}
