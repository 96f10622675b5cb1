package dev.kyu.broker.sqlite;

import dev.kyu.spi.CancelResult;
import dev.kyu.spi.RetryRequest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The hand-operated verbs (cancel, retry, delete, purge, pause), each inside the caller's write transaction.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteControl {
    private SqliteControl() {}

    static List<CancelResult> cancel(SqliteConnection db, List<String> ids, Instant now) throws SQLException {
        var out = new ArrayList<CancelResult>(ids.size());
        PreparedStatement find = db.prepare("SELECT state, dependents FROM jobs WHERE id = ?");
        for (String id : ids) {
            find.setString(1, id);
            String state;
            List<String> dependents = List.of();
            try (ResultSet rs = find.executeQuery()) {
                state = rs.next() ? rs.getString(1) : null;
                if (state != null) dependents = SqliteLinks.lenient(rs.getObject(2));
            }
            if (state == null) {
                out.add(CancelResult.NOT_FOUND);
            } else if (state.equals("BLOCKED") || state.equals("SCHEDULED") || state.equals("QUEUED")) {
                PreparedStatement ps = db.prepare("UPDATE jobs SET state = 'CANCELLED', finished_at = ? WHERE id = ?");
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                ps.executeUpdate();
                if (state.equals("BLOCKED")) SqliteLinks.forget(db, id);
                SqliteLinks.releaseAndClear(db, id, dependents, now);
                out.add(CancelResult.CANCELLED);
            } else if (state.equals("RUNNING")) {
                PreparedStatement ps = db.prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ?");
                ps.setString(1, id);
                ps.executeUpdate();
                out.add(CancelResult.CANCEL_REQUESTED);
            } else {
                out.add(CancelResult.ALREADY_FINISHED);
            }
        }
        return out;
    }

    static int retry(SqliteConnection db, RetryRequest r, Instant now) throws SQLException {
        String set =
                "UPDATE jobs SET state = 'QUEUED', scheduled_at = ?, attempt = 0, finished_at = NULL, started_at = NULL, "
                        + "lease_expires_at = NULL, worker_id = NULL, cancel_requested = 0, result = NULL WHERE ";
        if (!r.ids().isEmpty()) {
            PreparedStatement ps = db.prepare(set + "id = ? AND state IN ('FAILED', 'CANCELLED')");
            int n = 0;
            for (String id : r.ids()) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                n += ps.executeUpdate();
            }
            return n;
        }
        PreparedStatement ps = r.queue() == null
                ? db.prepare(set + "state = 'FAILED'")
                : db.prepare(set + "state = 'FAILED' AND queue = ?");
        ps.setLong(1, now.toEpochMilli());
        if (r.queue() != null) ps.setString(2, r.queue());
        return ps.executeUpdate();
    }

    /** Deletes the jobs (not while RUNNING); each releases its dependents as it goes. */
    static int delete(SqliteConnection db, List<String> ids, Instant now) throws SQLException {
        PreparedStatement ps = db.prepare(
                "DELETE FROM jobs WHERE id = ? AND (state IS NULL OR state <> 'RUNNING') RETURNING id, dependents");
        int n = 0;
        for (String id : new LinkedHashSet<>(ids)) {
            ps.setString(1, id);
            n += SqliteSweeps.deleted(db, ps, now);
        }
        return n;
    }

    /** Deletes the queue's jobs that have not started, BLOCKED ones included; their dependents elsewhere are released. */
    static int purge(SqliteConnection db, String queue, Instant now) throws SQLException {
        PreparedStatement ps = db.prepare(
                "DELETE FROM jobs WHERE state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') AND queue = ? RETURNING id, dependents");
        ps.setString(1, queue);
        return SqliteSweeps.deleted(db, ps, now);
    }

    static void pause(SqliteConnection db, String queue, boolean paused) throws SQLException {
        PreparedStatement ps = db.prepare(
                paused
                        ? "INSERT OR IGNORE INTO paused_queues (queue) VALUES (?)"
                        : "DELETE FROM paused_queues WHERE queue = ?");
        ps.setString(1, queue);
        ps.executeUpdate();
    }
}
