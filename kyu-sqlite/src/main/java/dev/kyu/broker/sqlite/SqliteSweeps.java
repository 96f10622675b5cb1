package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RescueResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweeps any process may run at any time: promote due jobs, rescue expired leases, prune old rows.
 * Each is one bounded statement (or a few) inside the caller's write transaction, so two processes
 * sweeping at once simply take turns and the second finds nothing left to do.
 *
 * <p>Rows whose due time or lease time is not a number can never match the time comparisons; the
 * sweeps look for them through the same indexes (SQLite sorts NULL before numbers and text after)
 * and quarantine them.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteSweeps {
    /** Due times no promotion can ever reach: missing, text, or past the range any enqueue accepts (infinity included). */
    private static final String SCHEDULED_BAD = "SELECT " + JobRow.SELECT + " FROM jobs WHERE state = 'SCHEDULED' "
            + "AND (scheduled_at IS NULL OR scheduled_at >= '' OR scheduled_at > " + JobOptions.LATEST.toEpochMilli()
            + ") LIMIT 100";

    private static final String RUNNING_BAD = "SELECT " + JobRow.SELECT + " FROM jobs WHERE state = 'RUNNING' "
            + "AND (lease_expires_at IS NULL OR lease_expires_at >= '') LIMIT 100";
    /*
     * The queue walk holds its place by a row's rowid, not by the name read back: a name that is a blob or
     * not UTF-8 comes back changed into Java, and a lookup by the changed name would find nothing.
     */
    private static final String FIRST_QUEUE =
            "SELECT rowid, queue FROM jobs WHERE state = 'QUEUED' AND queue IS NOT NULL ORDER BY queue LIMIT 1";
    private static final String NEXT_QUEUE = "SELECT rowid, queue FROM jobs WHERE state = 'QUEUED' "
            + "AND queue > (SELECT queue FROM jobs WHERE rowid = ?) ORDER BY queue LIMIT 1";
    private static final String QUEUED_OF = "SELECT " + JobRow.SELECT + " FROM jobs WHERE state = 'QUEUED' "
            + "AND queue = (SELECT queue FROM jobs WHERE rowid = ?) LIMIT 100";
    private static final String QUEUED_WITHOUT_QUEUE =
            "SELECT " + JobRow.SELECT + " FROM jobs WHERE state = 'QUEUED' AND queue IS NULL LIMIT 100";
    private static final String EXPIRED = "SELECT " + JobRow.SELECT + " FROM jobs WHERE state = 'RUNNING' "
            + "AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?";
    /**
     * A finished row is kept while the job it is retained with still exists (a workflow's step and the
     * workflow): a lookup by primary key per candidate. A row retained with itself is not held by it.
     */
    private static final String NOT_RETAINED = "(j.retain_with IS NULL OR j.retain_with = j.id "
            + "OR NOT EXISTS (SELECT 1 FROM jobs a WHERE a.id = j.retain_with))";

    private static final String PRUNE = "DELETE FROM jobs WHERE id IN (SELECT j.id FROM jobs j "
            + "WHERE j.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND j.state = ? AND j.finished_at < ? AND j.result_ttl_ms IS NULL "
            + "AND " + NOT_RETAINED + " LIMIT ?) RETURNING id, dependents";
    /**
     * Rows with a ttl of their own, judged by it alone. Named index: without statistics the planner would
     * take jobs_finished for the state test and read every finished row.
     */
    private static final String PRUNE_OWN_TTL =
            "DELETE FROM jobs WHERE id IN (SELECT j.id FROM jobs j INDEXED BY jobs_expiry "
                    + "WHERE j.result_ttl_ms IS NOT NULL AND j.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') "
                    + "AND j.finished_at + j.result_ttl_ms < ? AND " + NOT_RETAINED
                    + " LIMIT ?) RETURNING id, dependents";
    /** BLOCKED rows no release can move, through the partial index that holds only them. */
    private static final String BLOCKED_STUCK = "SELECT " + JobRow.SELECT
            + " FROM jobs INDEXED BY jobs_blocked_stuck WHERE " + SqliteLinks.STUCK + " LIMIT 100";
    /** BLOCKED rows whose side count (job_waits) no release can lower to zero, through that table's partial index. */
    private static final String WAITS_STUCK = "SELECT " + JobRow.SELECT
            + " FROM jobs WHERE id IN (SELECT job_id FROM job_waits " + "INDEXED BY job_waits_stuck WHERE "
            + SqliteLinks.WAITS_STUCK + ") AND state = 'BLOCKED' LIMIT 100";
    /** Side rows of such a count whose job is gone or not BLOCKED (written behind Kyu's back): nothing reads them. */
    private static final String WAITS_ORPHANS =
            "DELETE FROM job_waits WHERE job_id IN (SELECT job_id FROM job_waits INDEXED BY job_waits_stuck " + "WHERE "
                    + SqliteLinks.WAITS_STUCK
                    + ") AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_waits.job_id AND j.state = 'BLOCKED')";

    private SqliteSweeps() {}

    /** The promote sweep: quarantines rows no promotion or release could ever move, then promotes due jobs; returns how many it promoted. */
    static int promoteDue(SqliteConnection db, int limit, Instant now) throws SQLException {
        sweepScheduled(db, now);
        return promote(db, null, limit, now);
    }

    /** The prune sweep: quarantines QUEUED rows no fetch can name, then prunes; returns how many jobs it deleted. */
    static int pruneAll(SqliteConnection db, PruneRequest request, Instant now) throws SQLException {
        sweepUnreachableQueues(db, now);
        return prune(db, request, now);
    }

    /** Priority aging: one step up for the queue's oldest QUEUED jobs due before {@code dueBefore} and below the ceiling. */
    static int age(SqliteConnection db, String queue, Instant dueBefore, int ceiling, int limit) throws SQLException {
        PreparedStatement ps = db.prepare(
                "UPDATE jobs SET priority = priority + 1 WHERE rowid IN (SELECT rowid FROM jobs "
                        + "WHERE state = 'QUEUED' AND queue = ? AND priority < ? AND scheduled_at < ? ORDER BY scheduled_at LIMIT ?)");
        ps.setString(1, queue);
        ps.setInt(2, ceiling);
        // saturated: a cut beyond what epoch milliseconds hold (Instant.MIN, Instant.MAX) is before or after every job
        ps.setLong(
                3,
                dueBefore.isBefore(Instant.ofEpochMilli(Long.MIN_VALUE))
                        ? Long.MIN_VALUE
                        : dueBefore.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE))
                                ? Long.MAX_VALUE
                                : dueBefore.toEpochMilli());
        ps.setInt(4, limit);
        return ps.executeUpdate();
    }

    /** Promotes due SCHEDULED jobs (of the given queues, or all when null); returns how many. */
    static int promote(SqliteConnection db, List<String> queues, int limit, Instant now) throws SQLException {
        String filter = queues == null
                ? ""
                : " AND queue IN (" + "?,".repeat(queues.size()).replaceAll(",$", "") + ")";
        PreparedStatement ps = db.prepare(
                "UPDATE jobs SET state = 'QUEUED' WHERE id IN (SELECT id FROM jobs WHERE state = 'SCHEDULED' "
                        + "AND scheduled_at <= ?" + filter + " ORDER BY scheduled_at LIMIT ?)");
        int i = 1;
        ps.setLong(i++, now.toEpochMilli());
        if (queues != null) for (String q : queues) ps.setString(i++, q);
        ps.setInt(i, limit);
        return ps.executeUpdate();
    }

    /**
     * Quarantines SCHEDULED rows whose due time is unreadable or out of range, and BLOCKED rows whose wait
     * count (in the row or in job_waits) no release can lower to zero: both would wait for ever. Side rows of
     * such a count that no BLOCKED job owns are dropped first, so they cannot fill the sweep's page. Returns how many.
     */
    private static int sweepScheduled(SqliteConnection db, Instant now) throws SQLException {
        db.prepare(WAITS_ORPHANS).executeUpdate();
        return quarantineIds(db, SCHEDULED_BAD, now, true).size()
                + quarantineIds(db, BLOCKED_STUCK, now, false).size()
                + quarantineIds(db, WAITS_STUCK, now, false).size();
    }

    /**
     * Quarantines QUEUED rows of queues whose names enqueue would refuse: no worker can ask for such a
     * queue, so they would wait for ever (their delayed rows join them here once due). The queues are
     * walked one name at a time through the fetch index, so the sweep costs a probe per queue, not a scan.
     */
    private static int sweepUnreachableQueues(SqliteConnection db, Instant now) throws SQLException {
        var bad = new ArrayList<Long>(); // a rowid of each bad queue's rows
        long after = 0;
        boolean first = true;
        for (int n = 0; n < 10_000; n++) {
            PreparedStatement ps = db.prepare(first ? FIRST_QUEUE : NEXT_QUEUE);
            if (!first) ps.setLong(1, after);
            first = false;
            Object queue;
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) break;
                after = rs.getLong(1);
                queue = rs.getObject(2);
            }
            if (!(queue instanceof String name) || !dev.kyu.task.Task.isValidName(name)) bad.add(after);
        }
        int moved = 0;
        for (Long queueRow : bad) moved += quarantineRows(db, QUEUED_OF, queueRow, now);
        // Rows without a queue at all: no fetch can name them either.
        moved += quarantineRows(db, QUEUED_WITHOUT_QUEUE, null, now);
        return moved;
    }

    private static int quarantineRows(SqliteConnection db, String select, Long rowid, Instant now) throws SQLException {
        var rows = new ArrayList<JobRow>();
        PreparedStatement ps = db.prepare(select);
        if (rowid != null) ps.setLong(1, rowid);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) rows.add(JobRow.readToRun(rs));
        }
        return SqliteQuarantine.applyAll(db, rows, now).size();
    }

    static RescueResult rescue(SqliteConnection db, int limit, Instant now) throws SQLException {
        var requeued = new ArrayList<String>();
        var failed = new ArrayList<String>();
        var cancelled = new ArrayList<String>();
        var rows = new ArrayList<JobRow>();
        PreparedStatement ps = db.prepare(EXPIRED);
        ps.setLong(1, now.toEpochMilli());
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
            // Checked against the contract too: a row requeued by an id no statement matches would loop here for ever.
            while (rs.next()) rows.add(JobRow.readToRun(rs));
        }
        PreparedStatement update = db.prepare(JobSql.UPDATE_ALL);
        for (JobRow row : rows) {
            if (row.corrupt()) {
                SqliteQuarantine.apply(db, row, now);
                failed.add(row.job().id());
                continue;
            }
            Job j = row.job();
            var lost = JobError.reason(
                    j.attempt(),
                    JobError.WORKER_LOST,
                    "worker " + j.workerId() + " lost its lease (it stopped heartbeating)",
                    now);
            JobState next = j.cancelRequested()
                    ? JobState.CANCELLED
                    : j.attempt() >= j.maxAttempts() ? JobState.FAILED : JobState.QUEUED;
            var b = j.toBuilder()
                    .state(next)
                    .workerId(null)
                    .leaseExpiresAt(null)
                    .cancelRequested(false)
                    .errors(Job.appendError(j.errors(), lost));
            if (next.isTerminal()) b.finishedAt(now).links(j.links().released());
            JobSql.updateAll(update, b.build());
            if (next.isTerminal()) SqliteLinks.release(db, j.links().dependents(), now);
            (next == JobState.QUEUED ? requeued : next == JobState.FAILED ? failed : cancelled).add(j.id());
        }
        if (rows.size() < limit) {
            for (String id : quarantineIds(db, RUNNING_BAD, now, false)) failed.add(id);
        }
        return new RescueResult(requeued, failed, cancelled);
    }

    private static int prune(SqliteConnection db, PruneRequest r, Instant now) throws SQLException {
        int deleted = pruneOwnTtl(db, now, r.limit());
        // A null retention keeps those rows forever.
        if (r.succeededRetention() != null) {
            deleted += pruneState(db, "SUCCEEDED", now.minus(r.succeededRetention()), r.limit() - deleted, now);
            deleted += pruneState(db, "CANCELLED", now.minus(r.succeededRetention()), r.limit() - deleted, now);
        }
        if (r.failedRetention() != null)
            deleted += pruneState(db, "FAILED", now.minus(r.failedRetention()), r.limit() - deleted, now);
        PreparedStatement ps;
        if (r.statsRetention() != null) {
            ps = db.prepare("DELETE FROM stats WHERE minute < ?");
            ps.setLong(1, now.minus(r.statsRetention()).toEpochMilli());
            ps.executeUpdate();
        }
        if (r.workerRetention() != null) {
            ps = db.prepare("DELETE FROM workers WHERE heartbeat_at < ?");
            ps.setLong(1, now.minus(r.workerRetention()).toEpochMilli());
            ps.executeUpdate();
        }
        ps = db.prepare("DELETE FROM unique_keys WHERE scope = 'PERIOD' AND until < ?");
        ps.setLong(1, now.toEpochMilli());
        ps.executeUpdate();
        ps = db.prepare("DELETE FROM locks WHERE expires_at < ?");
        ps.setLong(1, now.toEpochMilli());
        ps.executeUpdate();
        return deleted;
    }

    private static int pruneOwnTtl(SqliteConnection db, Instant now, int limit) throws SQLException {
        PreparedStatement ps = db.prepare(PRUNE_OWN_TTL);
        ps.setLong(1, now.toEpochMilli());
        ps.setInt(2, limit);
        return deleted(db, ps, now);
    }

    private static int pruneState(SqliteConnection db, String state, Instant before, int limit, Instant now)
            throws SQLException {
        if (limit <= 0) return 0;
        PreparedStatement ps = db.prepare(PRUNE);
        ps.setString(1, state);
        ps.setLong(2, before.toEpochMilli());
        ps.setInt(3, limit);
        return deleted(db, ps, now);
    }

    /**
     * Runs a {@code DELETE … RETURNING id, dependents}, then frees the deleted jobs' unique keys and releases
     * their dependents (a job deleted before it released them, as an ended one would have); returns how many.
     */
    static int deleted(SqliteConnection db, PreparedStatement delete, Instant now) throws SQLException {
        var ids = new ArrayList<String>();
        var dependents = new ArrayList<String>();
        try (ResultSet rs = delete.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
                dependents.addAll(SqliteLinks.lenient(rs.getObject(2)));
            }
        }
        forgetKeys(db, ids);
        SqliteLinks.release(db, dependents, now);
        return ids.size();
    }

    /** Frees the unique keys of deleted jobs; a PERIOD key outlives its job until its period ends. */
    static void forgetKeys(SqliteConnection db, List<String> jobIds) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM unique_keys WHERE job_id = ? AND scope <> 'PERIOD'");
        for (String id : jobIds) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    private static List<String> quarantineIds(SqliteConnection db, String select, Instant now, boolean contract)
            throws SQLException {
        var rows = new ArrayList<JobRow>();
        try (ResultSet rs = db.prepare(select).executeQuery()) {
            while (rs.next()) rows.add(contract ? JobRow.readToRun(rs) : JobRow.read(rs));
        }
        return SqliteQuarantine.applyAll(db, rows, now);
    }
}
