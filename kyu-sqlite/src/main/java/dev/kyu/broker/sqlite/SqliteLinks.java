package dev.kyu.broker.sqlite;

import dev.kyu.job.JobState;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Releases the dependents of a job that ended or left the store ({@link dev.kyu.job.JobLinks}), inside the
 * caller's write transaction: every path that ends or deletes a job calls this, in the same transaction as
 * its own change. Each BLOCKED dependent's count goes down by one (by as many times as it is named); one
 * that reaches zero becomes QUEUED, due at the transaction's now. Missing or no longer BLOCKED dependents
 * are skipped, so a release that comes late or twice changes nothing.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteLinks {
    /** A BLOCKED row no release can ever move: its count is not a positive integer (the partial index's condition). */
    static final String STUCK = "state = 'BLOCKED' AND (typeof(waits_for) <> 'integer' OR waits_for < 1)";
    /** The same for a count kept in the side table (its partial index's condition). */
    static final String WAITS_STUCK = "(typeof(waits_for) <> 'integer' OR waits_for < 1)";

    /*
     * A BLOCKED job's count lives in its own small row of job_waits, so a release that is not the last one
     * rewrites a few bytes rather than the job's row: the dependent of a big fan-in (a workflow's end job
     * holding the whole definition, a chord's last step naming every parent) is a big row, and SQLite writes
     * a whole new record on any change to a row. The jobs row is written once, by the release that moves it
     * to QUEUED. A BLOCKED job without a side row (written behind Kyu's back) keeps its count in
     * jobs.waits_for and is lowered there.
     *
     * Each statement names every dependent at once, each looked up by primary key ("+jobs.state" keeps the
     * planner off the state index). A count that is not a positive integer (written behind Kyu's back)
     * reads as the last one: such a row is released rather than left waiting for ever.
     */
    private static final String NAMED =
            "SELECT value AS id, count(*) AS n FROM json_each(?%d) WHERE type = 'text' GROUP BY value";
    private static final String POSITIVE = "typeof(w.waits_for) = 'integer' AND w.waits_for > 0";
    /** Lowers the side counts; one that the release brings to zero (or that is not a count) is set to 0. */
    private static final String LOWER =
            "UPDATE job_waits SET waits_for = CASE WHEN typeof(job_waits.waits_for) = 'integer' "
                    + "AND job_waits.waits_for > d.n THEN job_waits.waits_for - d.n ELSE 0 END "
                    + "FROM (" + NAMED.formatted(1) + ") AS d WHERE job_waits.job_id = d.id";
    /** Moves to QUEUED the dependents left with no positive side count: their last release, or one without a side row. */
    private static final String SIDE = "EXISTS (SELECT 1 FROM job_waits w WHERE w.job_id = d.id)";

    private static final String LAST = "(" + SIDE + " OR typeof(jobs.waits_for) <> 'integer' OR jobs.waits_for <= d.n)";
    private static final String RELEASE = "UPDATE jobs SET "
            + "waits_for = CASE WHEN " + LAST + " THEN 0 ELSE jobs.waits_for - d.n END, "
            + "state = CASE WHEN " + LAST + " THEN 'QUEUED' ELSE 'BLOCKED' END, "
            + "scheduled_at = CASE WHEN " + LAST + " THEN ?1 ELSE jobs.scheduled_at END "
            + "FROM (SELECT * FROM (" + NAMED.formatted(2) + ") AS n "
            + "WHERE NOT EXISTS (SELECT 1 FROM job_waits w WHERE w.job_id = n.id AND " + POSITIVE + ")) AS d "
            + "WHERE jobs.id = d.id AND +jobs.state = '" + JobState.BLOCKED.name() + "'";
    /** Side rows the release used up: those of the jobs it moved to QUEUED, and of jobs no longer BLOCKED. */
    private static final String SPENT =
            "DELETE FROM job_waits WHERE job_id IN (SELECT value FROM json_each(?) WHERE type = 'text') "
                    + "AND NOT (typeof(waits_for) = 'integer' AND waits_for > 0)";

    private static final String CLEAR =
            "UPDATE jobs SET dependents = NULL WHERE id IN (SELECT value FROM json_each(?))";

    private SqliteLinks() {}

    /** Drops the side count of job {@code id}, which leaves BLOCKED other than by its last release (a cancel). */
    static void forget(SqliteConnection db, String id) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM job_waits WHERE job_id = ?");
        ps.setString(1, id);
        ps.executeUpdate();
    }

    /** The same by rowid, for the quarantine, whose row's id may be anything (the side row holds it as it is). */
    static void forgetRow(SqliteConnection db, long rowid) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM job_waits WHERE job_id = (SELECT id FROM jobs WHERE rowid = ?)");
        ps.setLong(1, rowid);
        ps.executeUpdate();
    }

    /** Releases {@code dependents} of a job whose row is gone or already written without them; returns how many rows moved. */
    static int release(SqliteConnection db, List<String> dependents, Instant now) throws SQLException {
        if (dependents.isEmpty()) return 0;
        String ids = SqliteJobCodec.idsToJson(dependents);
        PreparedStatement lower = db.prepare(LOWER);
        lower.setString(1, ids);
        lower.executeUpdate();
        PreparedStatement release = db.prepare(RELEASE);
        release.setLong(1, now.toEpochMilli());
        release.setString(2, ids);
        int moved = release.executeUpdate();
        PreparedStatement spent = db.prepare(SPENT);
        spent.setString(1, ids);
        spent.executeUpdate();
        return moved;
    }

    /** Releases the dependents of job {@code id}, which has just ended, and clears its list: a job releases once in its life. */
    static int releaseAndClear(SqliteConnection db, String id, List<String> dependents, Instant now)
            throws SQLException {
        return releaseAndClear(db, List.of(id), dependents, now);
    }

    /**
     * The same for several jobs that ended together (a run of successes): {@code dependents} holds all their
     * lists in one, so a job named by several of them is lowered once for each, in one statement.
     */
    static int releaseAndClear(SqliteConnection db, List<String> ended, List<String> dependents, Instant now)
            throws SQLException {
        if (dependents.isEmpty()) return 0;
        int moved = release(db, dependents, now);
        PreparedStatement ps = db.prepare(CLEAR);
        ps.setString(1, SqliteJobCodec.idsToJson(ended));
        ps.executeUpdate();
        return moved;
    }

    /**
     * The dependents a column holds, for a path that must not fail over them (an outcome, a delete): a list
     * the engine cannot read releases nothing. The row itself is judged, and quarantined, by its next read.
     */
    static List<String> lenient(Object column) {
        if (!(column instanceof String text)) return List.of();
        try {
            return SqliteJobCodec.dependentsFromJson(text);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}
