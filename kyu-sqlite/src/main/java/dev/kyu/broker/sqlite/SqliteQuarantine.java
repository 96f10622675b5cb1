package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place a row that fails to decode ({@link JobRow#corrupt}) is dealt with: it moves to FAILED with
 * a {@code kyu.CorruptJob} error, inside a write transaction. Writes that meet such a row (a claim, a
 * sweep) quarantine it in their own transaction ({@link #apply}, {@link #applyAll}); reads, which run on
 * the reader connection, hand their rows to {@link #healed}, which quarantines the bad ones in one write.
 * The row is rewritten in the engine's own shape (so it never trips a reader again) while
 * its args text stays as it was and every original column value is kept, as JSON, in the error's
 * detail: nothing the row held is lost, and the rest of the queue keeps flowing. The row releases its
 * dependents, as any job that ends does.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteQuarantine {
    private SqliteQuarantine() {}

    /**
     * The jobs of rows a read returned, in the same order: a healthy row as read, a corrupt one once
     * quarantined, all of them in one write. Each corrupt row is read again inside that write, by rowid,
     * since another process may have fixed, quarantined or deleted it after the read: a fixed or
     * quarantined row is taken as it is now, a deleted one is left out.
     */
    static List<Job> healed(SqliteStore store, List<JobRow> rows) {
        if (rows.stream().noneMatch(JobRow::corrupt))
            return rows.stream().map(JobRow::job).toList();
        Map<Long, Job> fixed = store.stamped("quarantine corrupt job", (db, now) -> {
            var out = new HashMap<Long, Job>();
            for (JobRow seen : rows) {
                if (!seen.corrupt()) continue;
                JobRow row = SqliteQueries.byRowid(db, seen.rowid());
                if (row != null) out.put(seen.rowid(), row.corrupt() ? apply(db, row, now) : row.job());
            }
            return out;
        });
        var out = new ArrayList<Job>(rows.size());
        for (JobRow r : rows) {
            Job j = r.corrupt() ? fixed.get(r.rowid()) : r.job();
            if (j != null) out.add(j);
        }
        return out;
    }

    /** Quarantines the corrupt ones of {@code rows}, read inside this write transaction; returns their ids. */
    static List<String> applyAll(SqliteConnection db, List<JobRow> rows, Instant now) throws SQLException {
        var ids = new ArrayList<String>();
        for (JobRow row : rows) {
            if (!row.corrupt()) continue;
            apply(db, row, now);
            ids.add(row.job().id());
        }
        return ids;
    }

    static Job apply(SqliteConnection db, JobRow row, Instant now) throws SQLException {
        Job j = row.job();
        var error = new JobError(
                j.attempt(),
                JobError.CORRUPT,
                "undecodable job row: " + String.join("; ", row.problems()),
                "raw row: " + row.raw(),
                now);
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
