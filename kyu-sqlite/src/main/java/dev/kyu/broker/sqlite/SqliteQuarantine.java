package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Moves an undecodable row to FAILED with a {@code kyu.CorruptJob} error, inside the caller's write
 * transaction. The row is rewritten in the engine's own shape (so it never trips a reader again) while
 * its args text stays as it was and every original column value is kept, as JSON, in the error's
 * detail: nothing the row held is lost, and the rest of the queue keeps flowing. The row releases its
 * dependents, as any job that ends does.
 */
final class SqliteQuarantine {
    private SqliteQuarantine() {}

    static Job apply(SqliteConnection db, JobRow row, Instant now) throws SQLException {
        Job j = row.job();
        var error = new JobError(j.attempt(), JobError.CORRUPT,
                "undecodable job row: " + String.join("; ", row.problems()), "raw row: " + row.raw(), now);
        Job fixed = j.toBuilder()
                .state(JobState.FAILED)
                .enqueuedAt(j.enqueuedAt() == null ? now : j.enqueuedAt())
                .scheduledAt(j.scheduledAt() == null ? now : j.scheduledAt())
                .finishedAt(now)
                .leaseExpiresAt(null)
                .workerId(null)
                .cancelRequested(false)
                .errors(Job.appendError(j.errors(), error))
                .links(j.links().released())
                .build();
        // By rowid: an id that is a blob, invalid UTF-8 or otherwise unmatchable as text must still be reached.
        SqliteLinks.forgetRow(db, row.rowid()); // it leaves BLOCKED, if it was
        PreparedStatement ps = db.prepare(JobSql.UPDATE_BY_ROWID);
        int next = JobSql.bindBody(ps, 1, fixed);
        ps.setLong(next, row.rowid());
        ps.executeUpdate();
        // It ends FAILED like any other job, so it releases what waits for it (whatever of its list could be read);
        // a list still there has not been released yet, whatever state the row claimed.
        SqliteLinks.release(db, j.links().dependents(), now);
        return fixed;
    }
}
