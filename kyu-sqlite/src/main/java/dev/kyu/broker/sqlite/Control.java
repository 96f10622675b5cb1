package dev.kyu.broker.sqlite;

import dev.kyu.spi.CancelResult;
import dev.kyu.spi.RetryRequest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The hand-operated verbs (cancel, retry, delete, purge, pause), each inside the caller's write transaction. */
final class Control {
    private Control() {}

    static List<CancelResult> cancel(Db db, List<String> ids, Instant now) throws SQLException {
        var out = new ArrayList<CancelResult>(ids.size());
        PreparedStatement find = db.prepare("SELECT state FROM jobs WHERE id = ?");
        for (String id : ids) {
            find.setString(1, id);
            String state;
            try (ResultSet rs = find.executeQuery()) {
                state = rs.next() ? rs.getString(1) : null;
            }
            if (state == null) {
                out.add(CancelResult.NOT_FOUND);
            } else if (state.equals("SCHEDULED") || state.equals("QUEUED")) {
                PreparedStatement ps = db.prepare("UPDATE jobs SET state = 'CANCELLED', finished_at = ? WHERE id = ?");
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                ps.executeUpdate();
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

    static int retry(Db db, RetryRequest r, Instant now) throws SQLException {
        String set = "UPDATE jobs SET state = 'QUEUED', scheduled_at = ?, attempt = 0, finished_at = NULL, started_at = NULL, "
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

    static int delete(Db db, List<String> ids) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM jobs WHERE id = ? AND (state IS NULL OR state <> 'RUNNING')");
        var gone = new ArrayList<String>();
        for (String id : ids) {
            ps.setString(1, id);
            if (ps.executeUpdate() > 0) gone.add(id);
        }
        Maintenance.forgetKeys(db, gone);
        return gone.size();
    }

    static int purge(Db db, String queue) throws SQLException {
        var gone = new ArrayList<String>();
        PreparedStatement ps = db.prepare("DELETE FROM jobs WHERE state IN ('SCHEDULED', 'QUEUED') AND queue = ? RETURNING id");
        ps.setString(1, queue);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) gone.add(rs.getString(1));
        }
        Maintenance.forgetKeys(db, gone);
        return gone.size();
    }

    static void pause(Db db, String queue, boolean paused) throws SQLException {
        PreparedStatement ps = db.prepare(paused
                ? "INSERT OR IGNORE INTO paused_queues (queue) VALUES (?)"
                : "DELETE FROM paused_queues WHERE queue = ?");
        ps.setString(1, queue);
        ps.executeUpdate();
    }
}
