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
 * transaction, so the counts can never disagree with the jobs. A job that ends releases its dependents
 * ({@link SqliteLinks}) in the same transaction; a fenced-out outcome changes nothing, so it releases nothing.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped},
 * {@link SqliteStore#stampedOnCallerConnection}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteOutcomes {
    private static final String FENCE =
            " WHERE id = ? AND state = 'RUNNING' AND worker_id = ? AND attempt = ? AND queue = ?";
    // "+jobs.state" keeps the planner from walking the state index: it must look each job up by id.
    private static final String SUCCEED = "UPDATE jobs SET state = 'SUCCEEDED', result = c.result, finished_at = ?, "
            + "lease_expires_at = NULL, cancel_requested = 0 FROM (SELECT value ->> 0 AS id, value ->> 1 AS worker, "
            + "value ->> 2 AS attempt, value ->> 3 AS result, value ->> 4 AS queue FROM json_each(?)) AS c "
            + "WHERE jobs.id = c.id AND +jobs.state = 'RUNNING' AND jobs.worker_id = c.worker AND jobs.attempt = c.attempt "
            + "AND jobs.queue = c.queue "
            + "RETURNING jobs.id, jobs.worker_id, jobs.attempt, jobs.queue, jobs.dependents";
    private static final String HELD = "SELECT queue, errors, attempt, cancel_requested, dependents FROM jobs" + FENCE;
    private static final String MOVE =
            "UPDATE jobs SET state = ?, scheduled_at = COALESCE(?, scheduled_at), finished_at = ?, errors = ?, attempt = ?, "
                    + "lease_expires_at = NULL, worker_id = ?, cancel_requested = 0 WHERE id = ?";
    // A lease's entry carries its progress when the task reported some since the last heartbeat; the
    // progress is written only with a lease still held, so a fenced-out attempt cannot overwrite it.
    private static final String EXTEND = "UPDATE jobs SET lease_expires_at = ?1, "
            + "progress = CASE WHEN c.fraction IS NULL THEN jobs.progress ELSE c.fraction END, "
            + "progress_message = CASE WHEN c.fraction IS NULL THEN jobs.progress_message ELSE c.message END "
            + "FROM (SELECT value ->> 0 AS id, value ->> 1 AS attempt, value ->> 2 AS fraction, value ->> 3 AS message, value ->> 4 AS queue "
            + "FROM json_each(?2)) AS c "
            + "WHERE jobs.id = c.id AND +jobs.state = 'RUNNING' AND jobs.worker_id = ?3 AND jobs.attempt = c.attempt AND jobs.queue = c.queue "
            + "RETURNING jobs.id, jobs.attempt, jobs.cancel_requested, jobs.queue";
    private static final String STATS =
            "INSERT INTO stats (minute, queue, succeeded, failed, retried) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (minute, queue) DO UPDATE SET succeeded = succeeded + excluded.succeeded, "
                    + "failed = failed + excluded.failed, retried = retried + excluded.retried";

    private SqliteOutcomes() {}

    /**
     * Applies the outcomes in the order given (a later report about the same lease is judged after an
     * earlier one): each run of consecutive successes goes in one statement, the other outcomes one by one.
     */
    static List<Boolean> complete(SqliteConnection db, List<Completion> completions, Instant now) throws SQLException {
        var applied = new ArrayList<Boolean>(completions.size());
        var counts = new LinkedHashMap<String, long[]>(); // queue -> {succeeded, failed, retried}
        int runStart = 0;
        for (int i = 0; i < completions.size(); i++) {
            Completion c = completions.get(i);
            if (c.outcome() instanceof Outcome.Succeeded) {
                applied.add(false);
                continue;
            }
            succeed(db, completions.subList(runStart, i), applied, runStart, counts, now);
            runStart = i + 1;
            String queue = apply(db, c, now);
            applied.add(queue != null);
            if (queue == null) continue;
            long[] n = counts.computeIfAbsent(queue, q -> new long[3]);
            switch (c.outcome()) {
                case Outcome.Dead d -> n[1]++;
                case Outcome.Retry r -> n[2]++;
                default -> {}
            }
        }
        succeed(db, completions.subList(runStart, completions.size()), applied, runStart, counts, now);
        record(db, counts, now);
        return applied;
    }

    /**
     * The hot path: a run of successes in one fenced {@code UPDATE … FROM json_each(?)}, whose RETURNING
     * names the leases it applied and their jobs' queues (for the statistics). One statement and one bound
     * parameter per run instead of one statement and five binds per job, and no second query for queues.
     * {@code applied} already holds false for each; the applied ones, from position {@code offset}, are set.
     */
    private static void succeed(
            SqliteConnection db,
            List<Completion> run,
            List<Boolean> applied,
            int offset,
            Map<String, long[]> counts,
            Instant now)
            throws SQLException {
        if (run.isEmpty()) return;
        var positions = new HashMap<Lease, Integer>(run.size() * 2);
        var json = new StringWriter(run.size() * 64);
        try (JsonGenerator g = SqliteJobCodec.JSON.getFactory().createGenerator(json)) {
            g.writeStartArray();
            for (int i = 0; i < run.size(); i++) {
                Lease lease = run.get(i).lease();
                // A lease reported twice is applied once, with its first outcome: an UPDATE … FROM that
                // matches two source rows would take either, so the repeat is not sent.
                if (positions.putIfAbsent(lease, offset + i) != null) continue;
                g.writeStartArray();
                g.writeString(lease.jobId());
                g.writeString(lease.workerId());
                g.writeNumber(lease.attempt());
                g.writeString(((Outcome.Succeeded) run.get(i).outcome()).result());
                g.writeString(lease.queue());
                g.writeEndArray();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        PreparedStatement ps = db.prepare(SUCCEED);
        ps.setLong(1, now.toEpochMilli());
        ps.setString(2, json.toString());
        var ended = new ArrayList<String>();
        var dependents = new ArrayList<String>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Integer at = positions.get(new Lease(rs.getString(1), rs.getString(4), rs.getString(2), rs.getInt(3)));
                if (at != null) applied.set(at, true);
                counts.computeIfAbsent(rs.getString(4), q -> new long[3])[0]++;
                List<String> own = SqliteLinks.lenient(rs.getObject(5));
                if (own.isEmpty()) continue;
                ended.add(rs.getString(1));
                dependents.addAll(own);
            }
        }
        // After the RETURNING rows are read (the release writes other rows of the table): the whole run's
        // releases in one statement, and one more to clear their lists.
        SqliteLinks.releaseAndClear(db, ended, dependents, now);
    }

    /** Any outcome but success; returns the job's queue when it was applied, null when the lease was not held. */
    private static String apply(SqliteConnection db, Completion c, Instant now) throws SQLException {
        Lease lease = c.lease();
        String queue;
        List<JobError> errors;
        boolean cancelRequested;
        List<String> dependents;
        PreparedStatement held = db.prepare(HELD);
        fence(held, 1, lease);
        try (ResultSet rs = held.executeQuery()) {
            if (!rs.next()) return null;
            queue = rs.getString(1);
            errors = readErrors(rs.getString(2));
            cancelRequested = rs.getInt(4) != 0;
            dependents = SqliteLinks.lenient(rs.getObject(5));
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
        ps.setString(4, errors.isEmpty() ? null : SqliteJobCodec.errorsToJson(errors));
        ps.setInt(5, attempt);
        ps.setString(6, worker);
        ps.setString(7, lease.jobId());
        ps.executeUpdate();
        if (finished != null) SqliteLinks.releaseAndClear(db, lease.jobId(), dependents, now);
        return queue;
    }

    /** All of a worker's leases in one fenced {@code UPDATE … FROM json_each(?)}; a lease not returned is lost. */
    static LeaseReport extend(SqliteConnection db, LeaseExtension ext, Instant now) throws SQLException {
        var lost = new HashSet<String>();
        var cancel = new HashSet<String>();
        var own = new ArrayList<Lease>(ext.leases().size());
        for (Lease lease : ext.leases()) {
            if (lease.workerId().equals(ext.workerId())) own.add(lease);
            else lost.add(lease.jobId()); // a worker extends only its own leases
        }
        if (own.isEmpty()) return new LeaseReport(lost, cancel);
        var json = new StringWriter(own.size() * 40);
        try (JsonGenerator g = SqliteJobCodec.JSON.getFactory().createGenerator(json)) {
            g.writeStartArray();
            for (Lease lease : own) {
                g.writeStartArray();
                g.writeString(lease.jobId());
                g.writeNumber(lease.attempt());
                var progress = ext.progress().get(lease.jobId());
                if (progress != null) {
                    g.writeNumber(progress.fraction());
                    g.writeString(progress.message());
                } else {
                    g.writeNull();
                    g.writeNull();
                }
                g.writeString(lease.queue());
                g.writeEndArray();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        PreparedStatement ps = db.prepare(EXTEND);
        ps.setLong(1, now.plus(ext.leaseDuration()).toEpochMilli());
        ps.setString(2, json.toString());
        ps.setString(3, ext.workerId());
        var held = new HashSet<Lease>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                held.add(new Lease(rs.getString(1), rs.getString(4), ext.workerId(), rs.getInt(2)));
                if (rs.getInt(3) != 0) cancel.add(rs.getString(1));
            }
        }
        for (Lease lease : own) if (!held.contains(lease)) lost.add(lease.jobId());
        return new LeaseReport(lost, cancel);
    }

    private static void fence(PreparedStatement ps, int from, Lease lease) throws SQLException {
        ps.setString(from, lease.jobId());
        ps.setString(from + 1, lease.workerId());
        ps.setInt(from + 2, lease.attempt());
        ps.setString(from + 3, lease.queue());
    }

    /** A history the engine cannot read is not worth failing an outcome over: it restarts empty. */
    private static List<JobError> readErrors(String text) {
        try {
            return SqliteJobCodec.errorsFromJson(text);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static void record(SqliteConnection db, Map<String, long[]> counts, Instant now) throws SQLException {
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
