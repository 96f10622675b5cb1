package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobLinks;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** The two statements that write a whole job row, and the binding of a {@link Job} to them. */
final class JobSql {
    static final String INSERT = "INSERT INTO jobs (" + JobRow.COLUMNS
            + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    static final String UPDATE_ALL =
            "UPDATE jobs SET task=?, queue=?, args=?, priority=?, state=?, attempt=?, max_attempts=?, "
                    + "enqueued_at=?, scheduled_at=?, started_at=?, finished_at=?, lease_expires_at=?, worker_id=?, result=?, errors=?, "
                    + "unique_key=?, timeout_ms=?, backoff=?, meta=?, cancel_requested=?, "
                    + "fence=?, progress=?, progress_message=?, result_ttl_ms=?, waits_for=?, dependents=?, retain_with=? WHERE id=?";
    /** The same by rowid: the quarantine's, which must reach a row whose id cannot be matched as text. */
    static final String UPDATE_BY_ROWID = UPDATE_ALL.replace("WHERE id=?", "WHERE rowid=?");

    private JobSql() {}

    /** Binds every column but the id from position {@code from}; returns the next free position. */
    static int bindBody(PreparedStatement ps, int from, Job j) throws SQLException {
        int i = from;
        ps.setString(i++, j.task());
        ps.setString(i++, j.queue());
        ps.setString(i++, j.args());
        ps.setInt(i++, j.priority());
        ps.setString(i++, j.state().name());
        ps.setInt(i++, j.attempt());
        ps.setInt(i++, j.maxAttempts());
        millis(ps, i++, j.enqueuedAt());
        millis(ps, i++, j.scheduledAt());
        millis(ps, i++, j.startedAt());
        millis(ps, i++, j.finishedAt());
        millis(ps, i++, j.leaseExpiresAt());
        ps.setString(i++, j.workerId());
        ps.setString(i++, j.result());
        ps.setString(i++, j.errors().isEmpty() ? null : SqliteJobCodec.errorsToJson(j.errors()));
        ps.setString(i++, j.uniqueKey());
        if (j.timeout() == null) ps.setNull(i++, Types.INTEGER);
        else ps.setLong(i++, j.timeout().toMillis());
        ps.setString(i++, j.backoff());
        ps.setString(i++, j.meta().isEmpty() ? null : SqliteJobCodec.metaToJson(j.meta()));
        ps.setInt(i++, j.cancelRequested() ? 1 : 0);
        ps.setLong(i++, j.fence());
        if (j.progress() == null) ps.setNull(i++, Types.REAL);
        else ps.setDouble(i++, j.progress().fraction());
        ps.setString(i++, j.progress() == null ? null : j.progress().message());
        if (j.resultTtl() == null) ps.setNull(i++, Types.INTEGER);
        else ps.setLong(i++, j.resultTtl().toMillis());
        return bindLinks(ps, i, j.links());
    }

    /** Binds waits_for, dependents and retain_with from position {@code from}; returns the next free position. */
    static int bindLinks(PreparedStatement ps, int from, JobLinks l) throws SQLException {
        int i = from;
        ps.setInt(i++, l.waitsFor());
        ps.setString(i++, l.dependents().isEmpty() ? null : SqliteJobCodec.idsToJson(l.dependents()));
        ps.setString(i++, l.retainWith());
        return i;
    }

    static void insert(PreparedStatement ps, Job j) throws SQLException {
        ps.setString(1, j.id());
        bindBody(ps, 2, j);
        ps.executeUpdate();
    }

    static void updateAll(PreparedStatement ps, Job j) throws SQLException {
        int next = bindBody(ps, 1, j);
        ps.setString(next, j.id());
        ps.executeUpdate();
    }

    static void millis(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) ps.setNull(i, Types.INTEGER);
        else ps.setLong(i, t.toEpochMilli());
    }
}
