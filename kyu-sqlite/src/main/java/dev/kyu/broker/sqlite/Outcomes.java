package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.Lease;
import dev.kyu.spi.Completion;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.Outcome;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies what workers report about their leases, inside the caller's write transaction: outcomes of
 * attempts and lease extensions, each fenced by the lease (the job must still be RUNNING under that
 * worker and attempt). Applied outcomes are counted into the per-minute statistics in the same
 * transaction, so the counts can never disagree with the jobs.
 */
final class Outcomes {
    private static final String FENCE = " WHERE id = ? AND state = 'RUNNING' AND worker_id = ? AND attempt = ?";
    private static final String SUCCEED = "UPDATE jobs SET state = 'SUCCEEDED', result = ?, finished_at = ?, "
            + "lease_expires_at = NULL, cancel_requested = 0" + FENCE;
    private static final String HELD = "SELECT queue, errors, attempt, cancel_requested FROM jobs" + FENCE;
    private static final String MOVE = "UPDATE jobs SET state = ?, scheduled_at = COALESCE(?, scheduled_at), finished_at = ?, errors = ?, attempt = ?, "
            + "lease_expires_at = NULL, worker_id = ?, cancel_requested = 0 WHERE id = ?";
    private static final String EXTEND = "UPDATE jobs SET lease_expires_at = ?" + FENCE + " RETURNING cancel_requested";
    private static final String STATS = "INSERT INTO stats (minute, queue, succeeded, failed, retried) VALUES (?, ?, ?, ?, ?) "
            + "ON CONFLICT (minute, queue) DO UPDATE SET succeeded = succeeded + excluded.succeeded, "
            + "failed = failed + excluded.failed, retried = retried + excluded.retried";

    private static final int QUEUE_LOOKUP_CHUNK = 64;

    private Outcomes() {}

    static List<Boolean> complete(Db db, List<Completion> completions, Instant now) throws SQLException {
        var applied = new ArrayList<Boolean>(completions.size());
        var counts = new LinkedHashMap<String, long[]>(); // queue -> {succeeded, failed, retried}
        var succeededIds = new ArrayList<String>();
        for (Completion c : completions) {
            if (c.outcome() instanceof Outcome.Succeeded s) {
                boolean ok = succeed(db, c.lease(), s, now);
                applied.add(ok);
                if (ok) succeededIds.add(c.lease().jobId());
                continue;
            }
            String queue = apply(db, c, now);
            applied.add(queue != null);
            if (queue == null) continue;
            long[] n = counts.computeIfAbsent(queue, q -> new long[3]);
            switch (c.outcome()) {
                case Outcome.Dead d -> n[1]++;
                case Outcome.Retry r -> n[2]++;
                default -> { }
            }
        }
        countSucceeded(db, succeededIds, counts);
        record(db, counts, now);
        return applied;
    }

    private static void countSucceeded(Db db, List<String> ids, Map<String, long[]> counts) throws SQLException {
        for (int from = 0; from < ids.size(); from += QUEUE_LOOKUP_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + QUEUE_LOOKUP_CHUNK));
            PreparedStatement ps = db.prepare("SELECT queue, count(*) FROM jobs WHERE id IN ("
                    + "?,".repeat(chunk.size()).replaceAll(",$", "") + ") GROUP BY queue");
            for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) counts.computeIfAbsent(rs.getString(1), q -> new long[3])[0] += rs.getLong(2);
            }
        }
    }

    /**
     * The hot path: one fenced update, no result set. The queues of the succeeded jobs (for statistics)
     * are read afterwards for the whole batch, which costs less than a result set per job.
     */
    private static boolean succeed(Db db, Lease lease, Outcome.Succeeded s, Instant now) throws SQLException {
        PreparedStatement ps = db.prepare(SUCCEED);
        ps.setString(1, s.result());
        ps.setLong(2, now.toEpochMilli());
        fence(ps, 3, lease);
        return ps.executeUpdate() > 0;
    }

    /** Any outcome but success; returns the job's queue when it was applied, null when the lease was not held. */
    private static String apply(Db db, Completion c, Instant now) throws SQLException {
        Lease lease = c.lease();
        String queue;
        List<JobError> errors;
        boolean cancelRequested;
        PreparedStatement held = db.prepare(HELD);
        fence(held, 1, lease);
        try (ResultSet rs = held.executeQuery()) {
            if (!rs.next()) return null;
            queue = rs.getString(1);
            errors = readErrors(rs.getString(2));
            cancelRequested = rs.getInt(4) != 0;
        }
        String state;
        Instant due = null, finished = null;
        String worker = lease.workerId(); // a finished job keeps the name of the worker that ran it
        int attempt = lease.attempt();
        switch (c.outcome()) {
            case Outcome.Retry r -> {
                errors = Job.appendError(errors, r.error());
                state = "SCHEDULED";
                due = now.plus(r.delay().isNegative() ? java.time.Duration.ZERO : r.delay());
                worker = null;
            }
            case Outcome.Dead d -> {
                errors = Job.appendError(errors, d.error());
                state = "FAILED";
            }
            case Outcome.Cancelled x -> {
                errors = Job.appendError(errors, x.reason());
                state = "CANCELLED";
            }
            case Outcome.Released rel -> {
                boolean later = rel.delay().isPositive();
                state = later ? "SCHEDULED" : "QUEUED";
                if (later) due = now.plus(rel.delay());
                attempt = Math.max(0, attempt - 1); // a hand-back does not spend an attempt
                worker = null;
            }
            case Outcome.Succeeded s -> throw new IllegalStateException("succeed() handles successes");
        }
        if (cancelRequested && !state.equals("FAILED") && !state.equals("CANCELLED")) {
            // The user asked to stop it while it ran: it must not run again.
            state = "CANCELLED";
            due = null;
            worker = lease.workerId();
        }
        if (state.equals("FAILED") || state.equals("CANCELLED")) finished = now;
        PreparedStatement ps = db.prepare(MOVE);
        ps.setString(1, state);
        JobSql.millis(ps, 2, due);
        JobSql.millis(ps, 3, finished);
        ps.setString(4, errors.isEmpty() ? null : JobCodec.errorsToJson(errors));
        ps.setInt(5, attempt);
        ps.setString(6, worker);
        ps.setString(7, lease.jobId());
        ps.executeUpdate();
        return queue;
    }

    static LeaseReport extend(Db db, LeaseExtension ext, Instant now) throws SQLException {
        var lost = new HashSet<String>();
        var cancel = new HashSet<String>();
        long until = now.plus(ext.leaseDuration()).toEpochMilli();
        PreparedStatement ps = db.prepare(EXTEND);
        for (Lease lease : ext.leases()) {
            if (!lease.workerId().equals(ext.workerId())) {
                lost.add(lease.jobId()); // a worker extends only its own leases
                continue;
            }
            ps.setLong(1, until);
            fence(ps, 2, lease);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) lost.add(lease.jobId());
                else if (rs.getInt(1) != 0) cancel.add(lease.jobId());
            }
        }
        return new LeaseReport(lost, cancel);
    }

    private static void fence(PreparedStatement ps, int from, Lease lease) throws SQLException {
        ps.setString(from, lease.jobId());
        ps.setString(from + 1, lease.workerId());
        ps.setInt(from + 2, lease.attempt());
    }

    /** A history the engine cannot read is not worth failing an outcome over: it restarts empty. */
    private static List<JobError> readErrors(String text) {
        try {
            return JobCodec.errorsFromJson(text);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static void record(Db db, Map<String, long[]> counts, Instant now) throws SQLException {
        if (counts.isEmpty()) return;
        long minute = now.toEpochMilli() / 60_000 * 60_000;
        PreparedStatement ps = db.prepare(STATS);
        for (var e : counts.entrySet()) {
            long[] n = e.getValue();
            if (n[0] + n[1] + n[2] == 0) continue;
            ps.setLong(1, minute);
            ps.setString(2, e.getKey());
            ps.setLong(3, n[0]);
            ps.setLong(4, n[1]);
            ps.setLong(5, n[2]);
            ps.executeUpdate();
        }
    }
}
