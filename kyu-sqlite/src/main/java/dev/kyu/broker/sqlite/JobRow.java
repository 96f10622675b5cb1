package dev.kyu.broker.sqlite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.job.Job;
import dev.kyu.job.JobContract;
import dev.kyu.job.JobError;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one jobs-table row into a {@link Job} without trusting it. Every column is checked for the type
 * and shape the engine writes; each problem is noted and replaced by a safe value, so the caller always
 * gets a usable job plus the list of what was wrong (empty for a healthy row) and the raw column values,
 * which the quarantine keeps with the job.
 *
 * @param job      the job as read (repaired where a column was bad)
 * @param problems what was wrong; empty when the row is healthy
 * @param raw      every column as stored, as a JSON object text (only built for a bad row)
 * @param rowid    the row's SQLite rowid: the one handle on a row whose id is not text, not UTF-8 or not
 *                 what the job shows, so a quarantine always reaches the row it read
 */
record JobRow(Job job, List<String> problems, String raw, long rowid) {
    static final String COLUMNS =
            "id, task, queue, args, priority, state, attempt, max_attempts, enqueued_at, scheduled_at, "
                    + "started_at, finished_at, lease_expires_at, worker_id, result, errors, unique_key, timeout_ms, backoff, meta, cancel_requested, "
                    + "fence, progress, progress_message, result_ttl_ms, waits_for, dependents, retain_with";
    /**
     * What every read selects: the columns, the rowid, then the count of a BLOCKED job's side row in
     * job_waits (NULL when it has none or is not BLOCKED; '' when its count is NULL, so a row written without
     * one reads as corrupt).
     */
    static final String SELECT = COLUMNS
            + ", rowid, (SELECT ifnull(w.waits_for, '') FROM job_waits w WHERE w.job_id = jobs.id AND jobs.state = 'BLOCKED')";
    /** The same for a RETURNING clause of a statement that leaves no job BLOCKED: no side row to read. */
    static final String RETURNING = COLUMNS + ", rowid, NULL";
    /** The largest fence a lease counts up from (as on the other engines, 15 digits). */
    static final long MAX_FENCE = 999_999_999_999_999L;

    private static final String[] NAMES = COLUMNS.split(", ");

    boolean corrupt() {
        return !problems.isEmpty();
    }

    static JobRow read(ResultSet rs) throws SQLException {
        return read(rs, false);
    }

    /**
     * Reads a row about to be handed to a worker, or found by a sweep as one that could wait for ever: on
     * top of the column checks, the job must keep the {@link JobContract} every enqueue keeps.
     */
    static JobRow readToRun(ResultSet rs) throws SQLException {
        return read(rs, true, null);
    }

    /** {@link #readToRun}, for a row found bad by a check made outside: it is corrupt, for {@code problem} if for nothing else. */
    static JobRow readBad(ResultSet rs, String problem) throws SQLException {
        return read(rs, true, problem);
    }

    private static JobRow read(ResultSet rs, boolean contract) throws SQLException {
        return read(rs, contract, null);
    }

    private static JobRow read(ResultSet rs, boolean contract, String fallback) throws SQLException {
        Object[] v = new Object[NAMES.length];
        for (int i = 0; i < v.length; i++) v[i] = rs.getObject(i + 1);
        long rowid = rs.getLong(v.length + 1);
        Object side = rs.getObject(v.length + 2);
        var p = new ArrayList<String>();
        String id = id(v[0]);
        String task = text(v, 1, false, p);
        String queue = text(v, 2, false, p);
        String args = v[3] == null ? null : v[3] instanceof String s ? s : String.valueOf(v[3]);
        long priority = number(v, 4, false, p, 0);
        JobState state = state(v[5], p);
        long attempt = number(v, 6, false, p, 0);
        long maxAttempts = number(v, 7, false, p, 1);
        Instant enqueuedAt = time(v, 8, false, p);
        Instant scheduledAt = time(v, 9, false, p);
        Instant startedAt = time(v, 10, true, p);
        Instant finishedAt = time(v, 11, true, p);
        Instant leaseExpiresAt = time(v, 12, true, p);
        String workerId = text(v, 13, true, p);
        String result = v[14] == null ? null : String.valueOf(v[14]);
        List<JobError> errors = List.of();
        if (v[15] != null && !(v[15] instanceof String)) p.add("errors is not text");
        else
            try {
                errors = SqliteJobCodec.errorsFromJson((String) v[15]);
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        String uniqueKey = text(v, 16, true, p);
        long timeoutMs = number(v, 17, true, p, -1);
        String backoff = text(v, 18, true, p);
        Map<String, String> meta = Map.of();
        if (v[19] != null && !(v[19] instanceof String)) p.add("meta is not text");
        else
            try {
                meta = SqliteJobCodec.metaFromJson((String) v[19]);
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        long cancel = number(v, 20, true, p, 0);
        long fence = number(v, 21, true, p, 0);
        Double fraction = v[22] instanceof Number n ? n.doubleValue() : null;
        String progressMessage = v[23] instanceof String s ? s : null;
        long resultTtlMs = number(v, 24, true, p, -1);
        long waitsFor = number(v, 25, true, p, 0);
        List<String> dependents = List.of();
        if (v[26] != null && !(v[26] instanceof String)) p.add("dependents is not text");
        else
            try {
                dependents = SqliteJobCodec.dependentsFromJson((String) v[26]);
            } catch (IllegalArgumentException e) {
                p.add(e.getMessage());
            }
        String retainWith = text(v, 27, true, p);
        if (priority != (int) priority) {
            p.add("priority out of range");
            priority = 0;
        }
        // The claim adds one to the attempt: the last int would overflow there.
        if (attempt != (int) attempt || attempt < 0 || attempt == Integer.MAX_VALUE) {
            p.add("attempt out of range");
            attempt = 0;
        }
        if (maxAttempts != (int) maxAttempts || maxAttempts < 1) {
            p.add("max_attempts out of range");
            maxAttempts = 1;
        }
        if (fence < 0 || fence > MAX_FENCE) p.add("fence out of range");
        if (state == JobState.RUNNING && (workerId == null || leaseExpiresAt == null))
            p.add("RUNNING without a worker or lease");
        if (waitsFor != (int) waitsFor || waitsFor < 0) {
            p.add("waits_for out of range");
            waitsFor = 0;
        }
        // Kyu moves a job out of BLOCKED as its count reaches zero: one without a count to lower waits for ever.
        // A BLOCKED job's column keeps its count at enqueue, its side row (job_waits) the count left: both must be one.
        boolean stuck = state == JobState.BLOCKED && waitsFor < 1;
        if (side != null) {
            long left = side instanceof Integer n ? n : side instanceof Long n ? n : -1;
            if (!(side instanceof Integer || side instanceof Long)) p.add("job_waits.waits_for is not an integer");
            else if (left != (int) left || left < 0) p.add("job_waits.waits_for out of range");
            waitsFor = left != (int) left || left < 0 ? 0 : left;
        }
        if (stuck || (state == JobState.BLOCKED && waitsFor < 1)) p.add("BLOCKED without a parent to wait for");
        Job job = new Job(
                id,
                task == null ? "" : task,
                queue == null ? "" : queue,
                args,
                (int) priority,
                state == null ? JobState.FAILED : state,
                (int) attempt,
                (int) maxAttempts,
                enqueuedAt,
                scheduledAt,
                startedAt,
                finishedAt,
                leaseExpiresAt,
                workerId,
                result,
                errors,
                uniqueKey,
                timeoutMs < 0 ? null : Duration.ofMillis(timeoutMs),
                backoff,
                meta,
                cancel != 0,
                fence,
                dev.kyu.job.Progress.stored(fraction, progressMessage),
                resultTtlMs <= 0 ? null : Duration.ofMillis(resultTtlMs),
                JobLinks.of((int) waitsFor, dependents, retainWith));
        if (contract && p.isEmpty()) p.addAll(JobContract.violations(job));
        if (fallback != null && p.isEmpty()) p.add(fallback);
        return new JobRow(job, p, p.isEmpty() ? null : raw(v, side), rowid);
    }

    /**
     * The id as a listing shows it. An id that is not text (a blob, a number) is shown in SQL literal form:
     * no lookup matches it and {@link JobContract} refuses it, so such a row is quarantined (by rowid)
     * before it can run, and it then reads as any other failed row rather than as a problem on every read.
     */
    private static String id(Object o) {
        if (o instanceof String s) return s;
        if (o instanceof byte[] b)
            return "X'" + java.util.HexFormat.of().withUpperCase().formatHex(b) + "'";
        return String.valueOf(o);
    }

    private static String text(Object[] v, int i, boolean nullable, List<String> p) {
        Object o = v[i];
        if (o == null) {
            if (!nullable) p.add(NAMES[i] + " is missing");
            return null;
        }
        if (o instanceof String s) return s;
        p.add(NAMES[i] + " is not text");
        return String.valueOf(o);
    }

    private static long number(Object[] v, int i, boolean nullable, List<String> p, long fallback) {
        Object o = v[i];
        if (o == null) {
            if (!nullable) p.add(NAMES[i] + " is missing");
            return fallback;
        }
        if (o instanceof Integer n) return n;
        if (o instanceof Long n) return n;
        p.add(NAMES[i] + " is not an integer");
        return fallback;
    }

    private static Instant time(Object[] v, int i, boolean nullable, List<String> p) {
        long ms = number(v, i, nullable, p, Long.MIN_VALUE);
        return ms == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ms);
    }

    private static JobState state(Object o, List<String> p) {
        if (o instanceof String s) {
            try {
                return JobState.valueOf(s);
            } catch (IllegalArgumentException e) {
                p.add("unknown state '" + truncate(s) + "'");
                return null;
            }
        }
        p.add(o == null ? "state is missing" : "state is not text");
        return null;
    }

    private static String raw(Object[] v, Object side) {
        ObjectNode o = SqliteJobCodec.JSON.createObjectNode();
        for (int i = 0; i < v.length; i++) put(o, NAMES[i], v[i]);
        if (side != null) put(o, "job_waits.waits_for", side);
        return o.toString();
    }

    private static void put(ObjectNode o, String name, Object x) {
        if (x == null) o.putNull(name);
        else if (x instanceof Integer n) o.put(name, n);
        else if (x instanceof Long n) o.put(name, n);
        else if (x instanceof Double n) o.put(name, n);
        else if (x instanceof byte[] b)
            o.put(name, "base64:" + java.util.Base64.getEncoder().encodeToString(b));
        else o.put(name, String.valueOf(x));
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
