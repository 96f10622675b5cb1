package dev.kyu.broker.postgres;

import dev.kyu.job.JobError;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.WakeSignal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The maintenance sweeps: promoting due delayed jobs, rescuing expired leases, pruning old rows. Each
 * works on a bounded batch and skips rows another process holds ({@code SKIP LOCKED}), so every process
 * may run them at once; a row whose history cannot be read is still rescued, its raw text kept. A job
 * rescued into FAILED or CANCELLED, and a job pruned, releases its dependents in the same statement.
 */
final class PgSweeps {
    // Statements that pick a bounded batch under SKIP LOCKED gather its keys once, as an array, and find
    // the rows by key: joined to the locking subquery, their generic plans could hash it and scan the
    // whole table (see PgClaims' claim). Package-private for the plan test.
    final String promoteSql;
    final String ageSql;
    private final String lockExpiredSql;
    private final String rescueSql;
    final String pruneJobsSql;
    final String pruneOwnTtlSql;
    private final String pruneStatsSql;
    private final String pruneWorkersSql;
    private final String prunePeriodsSql;
    private final String pruneLocksSql;
    private final String channel;
    private final PgCompletions completions;
    private final PgSettings settings;
    private final PgPool db;
    private final WakeSignal signal;
    private final PgQuarantine quarantine;

    PgSweeps(
            String s,
            String channel,
            PgSettings settings,
            PgPool db,
            WakeSignal signal,
            PgCompletions completions,
            PgQuarantine quarantine) {
        this.channel = channel;
        this.completions = completions;
        this.settings = settings;
        this.db = db;
        this.signal = signal;
        this.quarantine = quarantine;
        this.promoteSql = """
                WITH p AS (
                  UPDATE %1$s.kyu_jobs SET state = 'QUEUED'
                  WHERE id = ANY(ARRAY(SELECT id FROM %1$s.kyu_jobs WHERE state = 'SCHEDULED' AND scheduled_at <= now()
                                       %%s ORDER BY scheduled_at LIMIT ? FOR UPDATE SKIP LOCKED))
                  RETURNING queue),
                q AS (SELECT queue, count(*) AS n FROM p GROUP BY queue)
                SELECT queue, n, pg_notify(?, queue) FROM q
                """.formatted(s);
        // Aging walks the queue's QUEUED rows below the ceiling (the fetch index) and sorts them by due time: a
        // sweep run once per aging step, bounded by its limit, never on the fetch path.
        this.ageSql = """
                UPDATE %1$s.kyu_jobs SET priority = priority + 1
                WHERE id = ANY(ARRAY(SELECT id FROM %1$s.kyu_jobs WHERE state = 'QUEUED' AND queue = ? AND priority < ?
                                     AND scheduled_at < ?::timestamptz ORDER BY scheduled_at LIMIT ? FOR UPDATE SKIP LOCKED))
                """.formatted(s);
        this.lockExpiredSql = """
                SELECT id::text, queue, attempt, max_attempts, errors, cancel_requested, worker_id, now()
                FROM %1$s.kyu_jobs WHERE state = 'RUNNING' AND lease_expires_at < now()
                ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED
                """.formatted(s);
        String releases = Releases.after(s, channel);
        // the expired rows are locked (lockExpiredSql) by this transaction: o shows their dependents as they are
        this.rescueSql = """
                WITH rescued AS (
                  UPDATE %1$s.kyu_jobs j SET state = u.state, errors = u.errors, lease_expires_at = NULL, cancel_requested = false,
                         worker_id = CASE WHEN u.state = 'QUEUED' THEN NULL ELSE j.worker_id END,
                         finished_at = CASE WHEN u.state = 'QUEUED' THEN NULL ELSE now() END,
                         unique_claim = CASE WHEN u.state = 'QUEUED' THEN j.unique_claim END,
                         dependents = CASE WHEN u.state = 'QUEUED' THEN j.dependents END
                  FROM unnest(?::text[], ?::text[], ?::text[]) AS u(id, state, errors) JOIN %1$s.kyu_jobs o ON o.id = u.id::uuid
                  WHERE j.id = u.id::uuid
                  RETURNING j.id, CASE WHEN u.state <> 'QUEUED' THEN o.dependents END AS dependents),
                kyu_ended AS (SELECT id, dependents FROM rescued WHERE dependents IS NOT NULL)%2$s
                SELECT count(*) FROM rescued
                """.formatted(s, releases);
        // A terminal row is kept while the job it is retained with exists (a workflow's step and the workflow's
        // own record): a probe of the primary key per candidate, as a scalar subquery so that no plan can turn
        // it into a hash of the whole table. Deleting a row releases its dependents like an end would.
        String keptWith =
                "(k.retain_with IS NULL OR k.retain_with = k.id OR (SELECT a.id FROM %1$s.kyu_jobs a WHERE a.id = k.retain_with) IS NULL)"
                        .formatted(s);
        this.pruneJobsSql = """
                WITH kyu_ended AS (
                  DELETE FROM %1$s.kyu_jobs WHERE id = ANY(ARRAY(
                    SELECT k.id FROM %1$s.kyu_jobs k WHERE k.state = ? AND k.finished_at < now() - ? * interval '1 millisecond'
                      AND k.result_ttl_ms IS NULL AND %3$s
                    ORDER BY k.finished_at LIMIT ? FOR UPDATE SKIP LOCKED))
                  RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases, keptWith);
        // rows with a ttl of their own, judged by it alone, through kyu_jobs_expiry (migration V4)
        this.pruneOwnTtlSql = """
                WITH kyu_ended AS (
                  DELETE FROM %1$s.kyu_jobs WHERE id = ANY(ARRAY(
                    SELECT k.id FROM %1$s.kyu_jobs k
                    WHERE k.result_ttl_ms IS NOT NULL AND k.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
                      AND %1$s.kyu_result_expiry(k.finished_at, k.result_ttl_ms) < now() AND %3$s
                    ORDER BY %1$s.kyu_result_expiry(k.finished_at, k.result_ttl_ms) LIMIT ? FOR UPDATE SKIP LOCKED))
                  RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases, keptWith);
        this.pruneStatsSql =
                "DELETE FROM %1$s.kyu_stats WHERE minute < now() - ? * interval '1 millisecond'".formatted(s);
        this.pruneWorkersSql =
                "DELETE FROM %1$s.kyu_workers WHERE heartbeat_at < now() - ? * interval '1 millisecond'".formatted(s);
        this.prunePeriodsSql = """
                DELETE FROM %1$s.kyu_unique_periods WHERE key = ANY(ARRAY(
                  SELECT key FROM %1$s.kyu_unique_periods WHERE until < now() LIMIT ? FOR UPDATE SKIP LOCKED))
                """.formatted(s);
        this.pruneLocksSql = "DELETE FROM %1$s.kyu_locks WHERE expires_at < now() - interval '1 hour'".formatted(s);
    }

    /** Rows due past the range of any enqueue are quarantined first: no promotion would ever reach them. */
    int jobsPromoteDue(int limit) {
        if (limit <= 0) return 0;
        int n = db.call("promote due jobs", c -> {
            quarantine.sweepBeyondRange(c);
            return promote(c, null, limit);
        });
        if (n > 0) signal.wake();
        return n;
    }

    /** The years a timestamptz can hold and Instant.toString writes as PostgreSQL reads them: no job is due outside them. */
    private static final java.time.Instant FIRST = java.time.Instant.parse("0001-01-01T00:00:00Z"),
            LAST = java.time.Instant.parse("9999-12-31T23:59:59Z");

    private static java.time.Instant clampToTimestamptz(java.time.Instant t) {
        return t.isBefore(FIRST) ? FIRST : t.isAfter(LAST) ? LAST : t;
    }

    /** Priority aging: one step up for the queue's oldest QUEUED jobs due before {@code dueBefore} and below the ceiling. */
    int jobsAge(String queue, java.time.Instant dueBefore, int ceiling, int limit) {
        if (limit <= 0) return 0;
        return db.call("age job priorities", c -> {
            try (PreparedStatement ps = c.prepareStatement(ageSql)) {
                ps.setString(1, queue);
                ps.setInt(2, ceiling);
                ps.setString(3, clampToTimestamptz(dueBefore).toString());
                ps.setInt(4, limit);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Leaves leases alone for {@code outageGrace} after this process last failed to reach the database:
     * the workers could not heartbeat either, and deserve the time to reconnect and extend their leases
     * before their jobs are taken from them (a database restart must not fail a job as "worker lost").
     */
    RescueResult leasesRescueExpired(int limit) {
        if (limit <= 0) return RescueResult.NONE;
        if (db.outageWithin(settings.outageGrace().toNanos())) return RescueResult.NONE;
        Set<String> woken = new HashSet<>();
        RescueResult r = db.inTransaction("rescue expired leases", c -> rescue(c, limit, woken));
        if (!woken.isEmpty()) signal.wake();
        return r;
    }

    /** Rows of queues no worker can name are quarantined first: they would otherwise wait for ever. */
    int jobsPrune(PruneRequest request) {
        return db.call("prune old jobs", c -> {
            quarantine.sweepUnreachableQueues(c);
            return prune(c, request);
        });
    }

    /** Moves due SCHEDULED jobs (of the given queues, or all when null) to QUEUED, waking their fetchers. */
    int promote(Connection c, List<String> queues, int limit) throws SQLException {
        String sql = promoteSql.formatted(queues == null ? "" : "AND queue = ANY(?::text[])");
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (queues != null) ps.setArray(i++, PgPool.texts(c, queues));
            ps.setInt(i++, limit);
            ps.setString(i, channel);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) n += rs.getInt(2);
            }
        }
        return n;
    }

    /** Must run in a transaction: the expired rows stay locked between the read and the write. */
    RescueResult rescue(Connection c, int limit, Set<String> woken) throws SQLException {
        var ids = new ArrayList<String>();
        var states = new ArrayList<String>();
        var errors = new ArrayList<String>();
        List<String> requeued = new ArrayList<>(), failed = new ArrayList<>(), cancelled = new ArrayList<>();
        Map<String, long[]> perQueue = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(lockExpiredSql)) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    String queue = rs.getString(2);
                    int attempt = rs.getInt(3);
                    int max = rs.getInt(4);
                    String history = rs.getString(5);
                    boolean cancel = rs.getBoolean(6);
                    String worker = rs.getString(7);
                    Instant now = rs.getTimestamp(8).toInstant();
                    String state = cancel ? "CANCELLED" : attempt >= max ? "FAILED" : "QUEUED";
                    var err = JobError.reason(
                            attempt,
                            JobError.WORKER_LOST,
                            "worker lost: the lease of worker " + worker + " expired",
                            now);
                    ids.add(id);
                    states.add(state);
                    errors.add(JobRows.appendError(history, err));
                    long[] n = perQueue.computeIfAbsent(queue == null ? "" : queue, q -> new long[3]);
                    switch (state) {
                        case "CANCELLED" -> cancelled.add(id);
                        case "FAILED" -> {
                            failed.add(id);
                            n[1]++;
                        }
                        default -> {
                            requeued.add(id);
                            n[2]++;
                            woken.add(queue);
                        }
                    }
                }
            }
        }
        if (ids.isEmpty()) return RescueResult.NONE;
        try (PreparedStatement ps = c.prepareStatement(rescueSql)) {
            ps.setArray(1, PgPool.texts(c, ids));
            ps.setArray(2, PgPool.texts(c, states));
            ps.setArray(3, PgPool.texts(c, errors));
            ps.executeQuery().close();
        }
        completions.countOutcomes(c, perQueue);
        if (!woken.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, q) FROM unnest(?::text[]) AS q")) {
                ps.setString(1, channel);
                ps.setArray(2, PgPool.texts(c, woken));
                ps.executeQuery().close();
            }
        }
        return new RescueResult(requeued, failed, cancelled);
    }

    /** Autocommit: each statement is its own bounded batch. */
    int prune(Connection c, PruneRequest r) throws SQLException {
        int left = Math.max(0, r.limit());
        int deleted = 0;
        if (left > 0) {
            try (PreparedStatement ps = c.prepareStatement(pruneOwnTtlSql)) {
                ps.setInt(1, left);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    deleted = rs.getInt(1);
                    left -= deleted;
                }
            }
        }
        Object[][] kinds = {
            {"SUCCEEDED", r.succeededRetention()},
            {"CANCELLED", r.succeededRetention()},
            {"FAILED", r.failedRetention()}
        };
        for (Object[] k : kinds) {
            if (left == 0 || k[1] == null) continue;
            try (PreparedStatement ps = c.prepareStatement(pruneJobsSql)) {
                ps.setString(1, (String) k[0]);
                ps.setLong(2, ((Duration) k[1]).toMillis());
                ps.setInt(3, left);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    int n = rs.getInt(1);
                    deleted += n;
                    left -= n;
                }
            }
        }
        if (r.statsRetention() != null)
            update(c, pruneStatsSql, r.statsRetention().toMillis());
        if (r.workerRetention() != null)
            update(c, pruneWorkersSql, r.workerRetention().toMillis());
        update(c, prunePeriodsSql, Math.max(100, r.limit()));
        try (PreparedStatement ps = c.prepareStatement(pruneLocksSql)) {
            ps.executeUpdate();
        }
        return deleted;
    }

    private static void update(Connection c, String sql, long arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, arg);
            ps.executeUpdate();
        }
    }
}
