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
 */
final class Links {
    /** A BLOCKED row no release can ever move: its count is not a positive integer (the partial index's condition). */
    static final String STUCK = "state = 'BLOCKED' AND (typeof(waits_for) <> 'integer' OR waits_for < 1)";

    /*
     * One statement for all of a job's dependents, each looked up by primary key ("+jobs.state" keeps the
     * planner off the state index). A count that is not a positive integer (written behind Kyu's back)
     * reads as the last one: such a row is released rather than left waiting for ever.
     */
    private static final String LAST = "(typeof(jobs.waits_for) <> 'integer' OR jobs.waits_for <= d.n)";
    private static final String RELEASE = "UPDATE jobs SET "
            + "waits_for = CASE WHEN " + LAST + " THEN 0 ELSE jobs.waits_for - d.n END, "
            + "state = CASE WHEN " + LAST + " THEN 'QUEUED' ELSE 'BLOCKED' END, "
            + "scheduled_at = CASE WHEN " + LAST + " THEN ?1 ELSE jobs.scheduled_at END "
            + "FROM (SELECT value AS id, count(*) AS n FROM json_each(?2) WHERE type = 'text' GROUP BY value) AS d "
            + "WHERE jobs.id = d.id AND +jobs.state = '" + JobState.BLOCKED.name() + "'";
    private static final String CLEAR = "UPDATE jobs SET dependents = NULL WHERE id = ?";

    private Links() {}

    /** Releases {@code dependents} of a job whose row is gone or already written without them; returns how many rows moved. */
    static int release(Db db, List<String> dependents, Instant now) throws SQLException {
        if (dependents.isEmpty()) return 0;
        PreparedStatement ps = db.prepare(RELEASE);
        ps.setLong(1, now.toEpochMilli());
        ps.setString(2, JobCodec.idsToJson(dependents));
        return ps.executeUpdate();
    }

    /** Releases the dependents of job {@code id}, which has just ended, and clears its list: a job releases once in its life. */
    static int releaseAndClear(Db db, String id, List<String> dependents, Instant now) throws SQLException {
        if (dependents.isEmpty()) return 0;
        int moved = release(db, dependents, now);
        PreparedStatement ps = db.prepare(CLEAR);
        ps.setString(1, id);
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
            return JobCodec.dependentsFromJson(text);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }
}
