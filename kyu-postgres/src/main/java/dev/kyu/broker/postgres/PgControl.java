package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.WakeSignal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What operators do to jobs and queues: cancel, retry, delete, purge, pause. Each is one statement (cancel
 * one transaction); those that end or delete jobs release their dependents in it, and those that give a
 * queue work notify it in it.
 */
final class PgControl {
    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private final String s;
    private final String channel;
    private final PgPool db;
    private final WakeSignal signal;
    private final String cancelSql, deleteSql, purgeSql;

    PgControl(String s, String channel, PgPool db, WakeSignal signal) {
        this.s = s;
        this.channel = channel;
        this.db = db;
        this.signal = signal;
        String releases = Releases.after(s, channel);
        // A job that has not started (BLOCKED included) ends CANCELLED and releases its dependents; a running one
        // is asked to stop, and releases them when it does. Rows are locked in id order, as completions lock theirs.
        this.cancelSql = """
                WITH old AS (SELECT id, state, dependents FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[]) ORDER BY id FOR UPDATE),
                changed AS (
                  UPDATE %1$s.kyu_jobs j SET
                         state = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN 'CANCELLED' ELSE j.state END,
                         finished_at = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN now() ELSE j.finished_at END,
                         unique_claim = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN NULL ELSE j.unique_claim END,
                         dependents = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN NULL ELSE j.dependents END,
                         cancel_requested = (old.state = 'RUNNING') OR j.cancel_requested
                  FROM old WHERE j.id = old.id
                  RETURNING j.id, old.state),
                kyu_ended AS (SELECT id, dependents FROM old WHERE state IN ('BLOCKED', 'SCHEDULED', 'QUEUED'))%2$s
                SELECT id::text, state FROM changed
                """.formatted(s, releases);
        this.deleteSql = """
                WITH kyu_ended AS (DELETE FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[]) AND state <> 'RUNNING' RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases);
        // one arm per state, so each can read its own partial index (kyu_jobs_fetch, kyu_jobs_scheduled,
        // kyu_jobs_blocked)
        this.purgeSql = """
                WITH kyu_ended AS (
                  DELETE FROM %1$s.kyu_jobs WHERE (state = 'QUEUED' AND queue = ?) OR (state = 'SCHEDULED' AND queue = ?)
                    OR (state = 'BLOCKED' AND queue = ?)
                  RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases);
    }

    List<CancelResult> jobsCancel(List<String> ids) {
        List<String> valid = ids.stream().filter(JobIds::isValid).toList();
        Map<String, String> before = valid.isEmpty()
                ? Map.of()
                : db.inTransaction("cancel jobs", c -> {
                    Map<String, String> out = new HashMap<>();
                    try (PreparedStatement ps = c.prepareStatement(cancelSql)) {
                        ps.setArray(1, PgPool.texts(c, valid));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                        }
                    }
                    return out;
                });
        var out = new ArrayList<CancelResult>(ids.size());
        for (String id : ids) {
            String state = JobIds.isValid(id) ? before.get(id.toLowerCase(Locale.ROOT)) : null;
            out.add(
                    state == null
                            ? CancelResult.NOT_FOUND
                            : switch (state) {
                                case "BLOCKED", "SCHEDULED", "QUEUED" -> CancelResult.CANCELLED;
                                case "RUNNING" -> CancelResult.CANCEL_REQUESTED;
                                default -> CancelResult.ALREADY_FINISHED;
                            });
        }
        return out;
    }

    int jobsRetry(RetryRequest r) {
        String set = "SET state = 'QUEUED', attempt = 0, scheduled_at = now(), finished_at = NULL, worker_id = NULL, "
                + "lease_expires_at = NULL, cancel_requested = false, result = NULL";
        int n;
        if (!r.ids().isEmpty()) {
            List<String> valid = r.ids().stream().filter(JobIds::isValid).toList();
            if (valid.isEmpty()) return 0;
            n = db.call(
                    "retry jobs",
                    c -> notifyingUpdate(
                            c,
                            "UPDATE " + s + ".kyu_jobs " + set
                                    + " WHERE id = ANY(?::uuid[]) AND state IN ('FAILED', 'CANCELLED') RETURNING queue",
                            ps -> ps.setArray(1, PgPool.texts(c, valid))));
        } else {
            n = db.call(
                    "retry failed jobs",
                    c -> notifyingUpdate(
                            c,
                            "UPDATE " + s + ".kyu_jobs " + set + " WHERE state = 'FAILED'"
                                    + (r.queue() == null ? "" : " AND queue = ?") + " RETURNING queue",
                            ps -> {
                                if (r.queue() != null) ps.setString(1, r.queue());
                            }));
        }
        if (n > 0) signal.wake();
        return n;
    }

    /** Runs an UPDATE … RETURNING queue and notifies each queue it touched, in one statement. */
    private int notifyingUpdate(Connection c, String update, Binder binder) throws SQLException {
        String sql = "WITH u AS (" + update + "), q AS (SELECT queue, count(*) AS n FROM u GROUP BY queue) "
                + "SELECT queue, n, pg_notify('" + channel + "', queue) FROM q";
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) n += rs.getInt(2);
            }
        }
        return n;
    }

    int jobsDelete(List<String> ids) {
        List<String> valid = ids.stream().filter(JobIds::isValid).toList();
        if (valid.isEmpty()) return 0;
        return db.statement("delete jobs", c -> count(c, deleteSql, ps -> ps.setArray(1, PgPool.texts(c, valid))));
    }

    int queuePurge(String queue) {
        return db.statement(
                "purge queue " + queue,
                c -> count(c, purgeSql, ps -> {
                    for (int i = 1; i <= 3; i++) ps.setString(i, queue);
                }));
    }

    /** Runs a statement whose one row is a count. */
    private static int count(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** A resumed queue is notified, so that fetchers waiting on it claim its jobs at once. */
    void queuePause(String queue, boolean paused) {
        db.call((paused ? "pause" : "resume") + " queue " + queue, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO " + s + ".kyu_queues (queue, paused) VALUES (?, ?) "
                            + "ON CONFLICT (queue) DO UPDATE SET paused = excluded.paused")) {
                ps.setString(1, queue);
                ps.setBoolean(2, paused);
                ps.executeUpdate();
            }
            if (!paused) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, channel);
                    ps.setString(2, queue);
                    ps.executeQuery().close();
                }
            }
            return null;
        });
        if (!paused) signal.wake();
    }
}
