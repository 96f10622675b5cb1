package dev.kyu.broker.sqlite;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.Lease;
import dev.kyu.spi.Completion;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.Outcome;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
    // "+jobs.state" keeps the planner from walking the state index: it must look each job up by id.
    private static final String SUCCEED = "UPDATE jobs SET state = 'SUCCEEDED', result = c.result, finished_at = ?, "
            + "lease_expires_at = NULL, cancel_requested = 0 FROM (SELECT value ->> 0 AS id, value ->> 1 AS worker, "
            + "value ->> 2 AS attempt, value ->> 3 AS result FROM json_each(?)) AS c "
            + "WHERE jobs.id = c.id AND +jobs.state = 'RUNNING' AND jobs.worker_id = c.worker AND jobs.attempt = c.attempt "
            + "RETURNING jobs.id, jobs.queue";
    private static final String HELD = "SELECT queue, errors, attempt, cancel_requested FROM jobs" + FENCE;
    private static final String MOVE = "UPDATE jobs SET state = ?, scheduled_at = COALESCE(?, scheduled_at), finished_at = ?, errors = ?, attempt = ?, "
            + "lease_expires_at = NULL, worker_id = ?, cancel_requested = 0 WHERE id = ?";
    private static final String EXTEND = "UPDATE jobs SET lease_expires_at = ?" + FENCE + " RETURNING cancel_requested";
    private static final String STATS = "INSERT INTO stats (minute, queue, succeeded, failed, retried) VALUES (?, ?, ?, ?, ?) "
            + "ON CONFLICT (minute, queue) DO UPDATE SET succeeded = succeeded + excluded.succeeded, "
            + "failed = failed + excluded.failed, retried = retried + excluded.retried";

    private Outcomes() {}

    static List<Boolean> complete(Db db, List<Completion> completions, Instant now) throws SQLException {
        var applied = new ArrayList<Boolean>(completions.size());
        var counts = new LinkedHashMap<String, long[]>(); // queue -> {succeeded, failed, retried}
        var successes = new ArrayList<Integer>(); // positions in completions, applied together below
        for (int i = 0; i < completions.size(); i++) {
            Completion c = completions.get(i);
            if (c.outcome() instanceof Outcome.Succeeded) {
                successes.add(i);
                applied.add(false);
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
        succeed(db, completions, successes, applied, counts, now);
        record(db, counts, now);
        return applied;
    }

    /**
     * The hot path: every success of the batch in one fenced {@code UPDATE … FROM json_each(?)}, whose
     * RETURNING names the rows it changed and their queues (for the statistics). One statement and one
     * bound parameter per batch instead of one statement and five binds per job.
     */
    private static void succeed(Db db, List<Completion> completions, List<Integer> positions, List<Boolean> applied,
                                Map<String, long[]> counts, Instant now) throws SQLException {
        if (positions.isEmpty()) return;
        var byId = new HashMap<String, Integer>(positions.size() * 2);
        var json = new StringWriter(positions.size() * 64);
        try (JsonGenerator g = JobCodec.JSON.getFactory().createGenerator(json)) {
            g.writeStartArray();
            for (int i : positions) {
                Lease lease = completions.get(i).lease();
                byId.putIfAbsent(lease.jobId(), i); // a lease reported twice is applied once
                g.writeStartArray();
                g.writeString(lease.jobId());
                g.writeString(lease.workerId());
                g.writeNumber(lease.attempt());
                g.writeString(((Outcome.Succeeded) completions.get(i).outcome()).result());
                g.writeEndArray();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        PreparedStatement ps = db.prepare(SUCCEED);
        ps.setLong(1, now.toEpochMilli());
        ps.setString(2, json.toString());
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Integer i = byId.get(rs.getString(1));
                if (i != null) applied.set(i, true);
                counts.computeIfAbsent(rs.getString(2), q -> new long[3])[0]++;
            }
        }
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
