package dev.kyu.broker.sqlite;

import dev.kyu.job.JobIds;
import dev.kyu.testkit.RawJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;

/**
 * Writes garbage rows straight into a broker's jobs table, the way a broken tool or a hand edit might. Public: engines
 * that keep their records in SQLite (kyu-rabbitmq) plant rows with it through this module's test-jar.
 */
public final class CorruptRows {
    private CorruptRows() {}

    /** A due row in {@code queue} whose times, errors and meta are garbage; returns its id. */
    public static String queued(Path file, String queue) throws Exception {
        return insert(file, queue, "QUEUED", "t", "'not a time'", "'{oops'");
    }

    /** A row of {@code queue} with a state the engine never writes. */
    public static String unknownState(Path file, String queue) throws Exception {
        return insert(file, queue, "WEIRD", "t", "0", "NULL");
    }

    /** A due row without a task name. */
    public static String noTask(Path file, String queue) throws Exception {
        return insert(file, queue, "QUEUED", null, "0", "NULL");
    }

    /** A scheduled row whose due time is text, so no time comparison can ever match it. */
    public static String scheduledTextTime(Path file, String queue) throws Exception {
        String id = JobIds.next();
        exec(
                file,
                "INSERT INTO jobs (id, task, queue, args, priority, state, attempt, max_attempts, enqueued_at, scheduled_at) "
                        + "VALUES ('" + id + "', 't', '" + queue
                        + "', '{\"a\":1}', 0, 'SCHEDULED', 0, 1, 0, 'tomorrow')");
        return id;
    }

    /** A running row whose lease time is null. */
    public static String runningWithoutLease(Path file, String queue) throws Exception {
        String id = JobIds.next();
        exec(
                file,
                "INSERT INTO jobs (id, task, queue, args, priority, state, attempt, max_attempts, enqueued_at, scheduled_at, worker_id) "
                        + "VALUES ('" + id + "', 't', '" + queue + "', 'raw args', 0, 'RUNNING', 1, 1, 0, 0, 'w')");
        return id;
    }

    /** Writes {@code job} as a row, past every check of enqueue; {@link Instant#MAX} is the largest integer a column holds. */
    public static String plant(Path file, RawJob job) throws Exception {
        try (Connection c = SqliteTesting.raw(file);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO jobs (id, task, queue, args, priority, state, attempt, max_attempts, "
                                + "enqueued_at, scheduled_at, errors, meta, cancel_requested) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, '[]', '{}', 0)")) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            ps.setString(1, job.id());
            ps.setString(2, job.task());
            ps.setString(3, job.queue());
            ps.setString(4, job.args());
            ps.setString(5, job.state());
            ps.setLong(6, job.attempt());
            ps.setLong(7, job.maxAttempts());
            ps.setObject(8, millis(job.enqueuedAt()));
            ps.setObject(9, millis(job.scheduledAt()));
            ps.executeUpdate();
        }
        return job.id();
    }

    /**
     * A healthy due row of {@code queue} with one column set to an SQL expression (a blob, text that is not
     * UTF-8, text in an integer column); {@code column} may be the id. Returns nothing: such an id cannot be
     * looked up, so tests look at the queue's counts and listing.
     */
    public static void queuedWith(Path file, String queue, String column, String sqlValue) throws Exception {
        var cols = new java.util.LinkedHashMap<String, String>();
        cols.put("id", "'" + JobIds.next() + "'");
        cols.put("task", "'t'");
        cols.put("queue", "'" + queue + "'");
        cols.put("args", "'{}'");
        cols.put("priority", "0");
        cols.put("state", "'QUEUED'");
        cols.put("attempt", "0");
        cols.put("max_attempts", "3");
        cols.put("enqueued_at", Long.toString(System.currentTimeMillis()));
        cols.put("scheduled_at", Long.toString(System.currentTimeMillis()));
        cols.put("cancel_requested", "0");
        cols.put(column, sqlValue);
        exec(
                file,
                "INSERT INTO jobs (" + String.join(", ", cols.keySet()) + ") VALUES ("
                        + String.join(", ", cols.values()) + ")");
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.equals(Instant.MAX) ? Long.MAX_VALUE : t.toEpochMilli();
    }

    private static String insert(Path file, String queue, String state, String task, String scheduledAt, String errors)
            throws Exception {
        String id = JobIds.next();
        try (Connection c = SqliteTesting.raw(file);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO jobs (id, task, queue, args, priority, state, attempt, max_attempts, "
                                + "enqueued_at, scheduled_at, errors, meta) VALUES (?, ?, ?, '{not json at all', 0, ?, 'x', 1, 'yesterday', "
                                + scheduledAt + ", " + errors + ", '[1,2]')")) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            ps.setString(1, id);
            ps.setString(2, task);
            ps.setString(3, queue);
            ps.setString(4, state);
            ps.executeUpdate();
        }
        return id;
    }

    private static void exec(Path file, String sql) throws Exception {
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            c.createStatement().execute(sql);
        }
    }
}
