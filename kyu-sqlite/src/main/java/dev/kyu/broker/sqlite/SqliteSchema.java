package dev.kyu.broker.sqlite;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates and versions the tables (with {@code PRAGMA user_version}). Runs inside a write transaction,
 * so when several processes open a fresh file at once exactly one creates the schema and the others
 * see it done.
 *
 * <p>The jobs table is deliberately not STRICT: a row written by hand or by an old tool may hold
 * anything, and the engine must read such a row, not fail on it. Partial indexes keep each hot query
 * (fetch, promote, rescue, prune) on a small index that only holds the rows it can match.
 */
final class SqliteSchema {
    static final int VERSION = 5;

    private static final String[] V1 = {
        """
        CREATE TABLE IF NOT EXISTS jobs (
          id TEXT PRIMARY KEY NOT NULL,
          task TEXT, queue TEXT, args TEXT, priority INTEGER, state TEXT,
          attempt INTEGER, max_attempts INTEGER,
          enqueued_at INTEGER, scheduled_at INTEGER, started_at INTEGER, finished_at INTEGER,
          lease_expires_at INTEGER, worker_id TEXT, result TEXT, errors TEXT,
          unique_key TEXT, timeout_ms INTEGER, backoff TEXT, meta TEXT, cancel_requested INTEGER)""",
        "CREATE INDEX IF NOT EXISTS jobs_fetch ON jobs(queue, priority DESC, id) WHERE state = 'QUEUED'",
        "CREATE INDEX IF NOT EXISTS jobs_due ON jobs(scheduled_at) WHERE state = 'SCHEDULED'",
        "CREATE INDEX IF NOT EXISTS jobs_lease ON jobs(lease_expires_at) WHERE state = 'RUNNING'",
        "CREATE INDEX IF NOT EXISTS jobs_finished ON jobs(state, finished_at) WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')",
        "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, queue, id)",
        """
        CREATE TABLE IF NOT EXISTS unique_keys (
          key TEXT PRIMARY KEY NOT NULL, job_id TEXT NOT NULL, scope TEXT NOT NULL, until INTEGER)""",
        "CREATE INDEX IF NOT EXISTS unique_keys_job ON unique_keys(job_id)",
        """
        CREATE TABLE IF NOT EXISTS stats (
          minute INTEGER NOT NULL, queue TEXT NOT NULL,
          succeeded INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, retried INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (minute, queue))""",
        "CREATE TABLE IF NOT EXISTS workers (id TEXT PRIMARY KEY NOT NULL, info TEXT NOT NULL, heartbeat_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS paused_queues (queue TEXT PRIMARY KEY NOT NULL)",
    };

    /** Fencing tokens and progress: old rows start at fence 0 and no progress. */
    private static final String[] V2 = {
        "ALTER TABLE jobs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN progress REAL",
        "ALTER TABLE jobs ADD COLUMN progress_message TEXT",
    };

    /**
     * Per-job result retention: old rows have none and keep the prune's global retention. The index holds
     * only finished rows with a ttl, keyed by when they run out, for the prune's second pass.
     */
    private static final String[] V3 = {
        "ALTER TABLE jobs ADD COLUMN result_ttl_ms INTEGER",
        "CREATE INDEX IF NOT EXISTS jobs_expiry ON jobs(finished_at + result_ttl_ms) "
                + "WHERE result_ttl_ms IS NOT NULL AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')",
    };

    /**
     * Job links (dev.kyu.job.JobLinks): old rows wait for nothing, release nothing and are kept by the
     * global retention (NULL reads as none). Releasing dependents and the prune's "is the job it is kept
     * with still there" are lookups by primary key, so they need no index of their own; the one index
     * holds only BLOCKED rows that nothing can ever release (a wait count that is not a positive integer),
     * so the sweep that quarantines them is a probe, however many jobs are BLOCKED.
     */
    private static final String[] V4 = {
        "ALTER TABLE jobs ADD COLUMN waits_for INTEGER",
        "ALTER TABLE jobs ADD COLUMN dependents TEXT",
        "ALTER TABLE jobs ADD COLUMN retain_with TEXT",
        "CREATE INDEX IF NOT EXISTS jobs_blocked_stuck ON jobs(id) WHERE " + SqliteLinks.STUCK,
    };

    /**
     * The wait counts of BLOCKED jobs, one small row each ({@link SqliteLinks}): lowering a count must not rewrite
     * the job's row, which for the dependent of a big fan-in is big. Triggers keep the table in step with
     * inserts and deletes in every path, in the same transaction: a job inserted BLOCKED gets its row, a
     * deleted job loses it. The three statements that move a job out of BLOCKED (the last release, a cancel,
     * a quarantine) delete its row themselves: a trigger on every state change would tax each claim and
     * completion. Not STRICT, as the jobs table: a count written by hand may be
     * anything, and such a row is read as corrupt and quarantined (the partial index finds it). A v4 file's
     * BLOCKED jobs get their rows from their current counts.
     */
    private static final String[] V5 = {
        "CREATE TABLE IF NOT EXISTS job_waits (job_id TEXT PRIMARY KEY NOT NULL, waits_for INTEGER) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS job_waits_stuck ON job_waits(job_id) WHERE " + SqliteLinks.WAITS_STUCK,
        "INSERT OR IGNORE INTO job_waits (job_id, waits_for) SELECT id, waits_for FROM jobs WHERE state = 'BLOCKED' AND id IS NOT NULL",
        """
        CREATE TRIGGER IF NOT EXISTS job_waits_insert AFTER INSERT ON jobs WHEN new.state = 'BLOCKED' AND new.id IS NOT NULL BEGIN
          INSERT OR REPLACE INTO job_waits (job_id, waits_for) VALUES (new.id, new.waits_for);
        END""",
        """
        CREATE TRIGGER IF NOT EXISTS job_waits_delete AFTER DELETE ON jobs BEGIN
          DELETE FROM job_waits WHERE job_id = old.id;
        END""",
    };

    private SqliteSchema() {}

    /**
     * Reads, without a lock or a change, what the file holds: its schema version (0 for a new or empty file).
     * Throws {@link NewerSchema} for a file from a newer Kyu and {@link ForeignFile} for another application's
     * database, which Kyu must not change (not even to WAL mode), unless the file is {@code shared} on purpose.
     */
    static int check(SqliteConnection db, boolean shared) throws SQLException {
        int found = version(db);
        if (found > VERSION) throw new NewerSchema(found);
        if (found == 0 && !shared) {
            var tables = new java.util.ArrayList<String>();
            try (ResultSet rs = db.connection()
                    .createStatement()
                    .executeQuery(
                            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 4")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            if (!tables.isEmpty()) {
                // Another opener may have set the file up between the two reads (its tables and version
                // commit together): read the version again before calling the file foreign.
                found = version(db);
                if (found == 0) throw new ForeignFile(tables);
                if (found > VERSION) throw new NewerSchema(found);
            }
        }
        return found;
    }

    private static int version(SqliteConnection db) throws SQLException {
        try (ResultSet rs = db.connection().createStatement().executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Returns the version found before migrating; throws {@link NewerSchema} for a file from a newer Kyu. */
    static int migrate(SqliteConnection db) throws SQLException {
        int found = version(db);
        if (found > VERSION) throw new NewerSchema(found);
        if (found < 1) for (String sql : V1) db.exec(sql);
        if (found < 2) for (String sql : V2) db.exec(sql);
        if (found < 3) for (String sql : V3) db.exec(sql);
        if (found < 4) for (String sql : V4) db.exec(sql);
        if (found < 5) for (String sql : V5) db.exec(sql);
        if (found < VERSION) db.exec("PRAGMA user_version = " + VERSION);
        return found;
    }

    static final class ForeignFile extends RuntimeException {
        ForeignFile(java.util.List<String> tables) {
            super("it is another application's database (tables "
                    + String.join(", ", tables.subList(0, Math.min(3, tables.size())))
                    + (tables.size() > 3 ? ", …" : "") + "), not Kyu's; give Kyu a file of its own");
        }
    }

    static final class NewerSchema extends RuntimeException {
        final int found;

        NewerSchema(int found) {
            super("schema version " + found + " is newer than this Kyu build knows (" + VERSION + ")");
            this.found = found;
        }
    }
}
