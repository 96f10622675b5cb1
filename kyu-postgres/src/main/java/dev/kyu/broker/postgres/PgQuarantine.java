package dev.kyu.broker.postgres;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.task.Task;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one place where rows that break the contract are found and set aside. A row that cannot be read
 * ({@link JobRows.Corrupt}) is never thrown at the caller: it is moved to FAILED with a kyu.CorruptJob error
 * that keeps its raw text, and releases its dependents, so every read, fetch and count goes on and the
 * row stays visible to an operator. The sweeps find the rows no read would ever meet (due past the range
 * of any enqueue, in a queue no worker can name, in a state this version does not know).
 */
final class PgQuarantine {
    /** A read that reports the rows it could not decode in {@code corrupt} and answers what it could. */
    @FunctionalInterface
    interface Read<T> {
        T run(Connection c, List<JobRows.Corrupt> corrupt) throws SQLException;
    }

    private final String s;
    private final String quarantineSql;

    PgQuarantine(String s, String channel) {
        this.s = s;
        // A quarantined job has ended (FAILED): it releases its dependents, as read from the row it locks first.
        this.quarantineSql = """
                WITH o AS (SELECT id, dependents FROM %1$s.kyu_jobs WHERE id = ?::uuid FOR UPDATE),
                q AS (
                  UPDATE %1$s.kyu_jobs j SET state = 'FAILED', finished_at = coalesce(j.finished_at, now()), lease_expires_at = NULL,
                         unique_claim = NULL, cancel_requested = false, dependents = NULL, waits_for = greatest(j.waits_for, 0), errors = ?,
                         meta = CASE WHEN ? THEN '{}' ELSE j.meta END
                  FROM o WHERE j.id = o.id RETURNING j.id),
                kyu_ended AS (SELECT id, dependents FROM o)%2$s
                SELECT count(*) FROM q
                """.formatted(s, Releases.after(s, channel));
    }

    /**
     * Reads every remaining row of {@code rs}: readable ones go to {@code good}, the others to {@code corrupt}.
     * With {@code toRun} a row must also be fit to hand to a worker ({@link JobRows#readToRun}).
     */
    static void split(ResultSet rs, boolean toRun, Consumer<Job> good, List<JobRows.Corrupt> corrupt)
            throws SQLException {
        while (rs.next()) {
            switch (toRun ? JobRows.readToRun(rs) : JobRows.read(rs)) {
                case JobRows.Good g -> good.accept(g.job());
                case JobRows.Corrupt bad -> corrupt.add(bad);
            }
        }
    }

    /**
     * Runs the read; when it met corrupt rows, quarantines them and runs it once more, so the answer shows
     * them FAILED. Rows the second read still cannot decode are left out of its answer.
     */
    <T> T readRepairing(Connection c, Read<T> read) throws SQLException {
        var corrupt = new ArrayList<JobRows.Corrupt>();
        T first = read.run(c, corrupt);
        if (corrupt.isEmpty()) return first;
        quarantine(c, corrupt);
        return read.run(c, new ArrayList<>());
    }

    /** Moves each row to FAILED with a kyu.CorruptJob error that keeps its raw text; one statement per row. */
    void quarantine(Connection c, List<JobRows.Corrupt> rows) throws SQLException {
        for (JobRows.Corrupt bad : rows) {
            var err = JobError.reason(
                    Math.max(bad.attempt(), 0),
                    JobError.CORRUPT,
                    "corrupt job row: " + bad.reason() + "; raw: " + bad.raw(),
                    Instant.now());
            try (PreparedStatement ps = c.prepareStatement(quarantineSql)) {
                ps.setString(1, bad.id());
                ps.setString(2, JobRows.errorsJson(List.of(err)));
                ps.setBoolean(3, bad.reason().startsWith("meta"));
                ps.executeQuery().close();
            }
        }
    }

    /**
     * SCHEDULED rows due past the range any enqueue accepts ('infinity' included) would wait for ever: no
     * promotion reaches them. They are found through the due-time index.
     */
    void sweepBeyondRange(Connection c) throws SQLException {
        String sql =
                "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs WHERE state = 'SCHEDULED' AND scheduled_at > '"
                        + JobOptions.LATEST + "'::timestamptz LIMIT 100 FOR UPDATE SKIP LOCKED";
        var corrupt = new ArrayList<JobRows.Corrupt>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            split(rs, true, job -> {}, corrupt);
        }
        quarantine(c, corrupt);
    }

    /**
     * QUEUED rows of queues whose names enqueue would refuse would wait for ever: no worker can ask for
     * such a queue (their delayed rows join them here once due). The queues are walked one name at a time
     * through the fetch index, a probe per queue rather than a scan.
     */
    void sweepUnreachableQueues(Connection c) throws SQLException {
        var bad = new ArrayList<String>();
        String after = null;
        for (int n = 0; n < 10_000; n++) {
            String sql = "SELECT min(queue) FROM " + s + ".kyu_jobs WHERE state = 'QUEUED'"
                    + (after == null ? "" : " AND queue > ?");
            String queue;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (after != null) ps.setString(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    queue = rs.next() ? rs.getString(1) : null;
                }
            }
            if (queue == null) break;
            if (!Task.isValidName(queue)) bad.add(queue);
            after = queue;
        }
        var corrupt = new ArrayList<JobRows.Corrupt>();
        for (String queue : bad) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM " + s
                    + ".kyu_jobs WHERE state = 'QUEUED' " + "AND queue = ? LIMIT 100 FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    split(rs, true, job -> {}, corrupt);
                }
            }
        }
        quarantine(c, corrupt);
    }

    /** Rows whose state this version does not know, so that every count adds up. */
    void sweepUnknownStates(Connection c) throws SQLException {
        String sql = "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs WHERE state NOT IN "
                + "('BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED') LIMIT 1000";
        var corrupt = new ArrayList<JobRows.Corrupt>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            split(rs, false, job -> {}, corrupt);
        }
        quarantine(c, corrupt);
    }
}
