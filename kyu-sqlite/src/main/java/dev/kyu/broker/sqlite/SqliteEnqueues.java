package dev.kyu.broker.sqlite;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores a batch of new jobs inside one transaction with one prepared insert, so a batch costs one
 * commit (one fsync) however many jobs it holds. Unique keys live in their own table, one row per key
 * naming the job that holds it; a key is free again once that job has left the key's scope.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped},
 * {@link SqliteStore#stampedOnCallerConnection}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteEnqueues {
    private static final String FIND_KEY =
            "SELECT u.job_id, u.scope, u.until, j.state FROM unique_keys u LEFT JOIN jobs j ON j.id = u.job_id WHERE u.key = ?";
    private static final String PUT_KEY =
            "INSERT OR REPLACE INTO unique_keys (key, job_id, scope, until) VALUES (?, ?, ?, ?)";

    /**
     * Multi-row inserts for new jobs without a unique key. Such a job always starts with the same attempt,
     * enqueue time (the batch's), no lease, result or errors: those are constants or the shared parameter
     * ?1, so each row binds 15 parameters instead of 28 (each bind is a JNI call and a UTF-8 copy; the three
     * links are a number and two NULLs for a job without them). There is one statement for each power of two
     * up to 128 rows, so any batch is written with few statements (1,000 jobs: 7 of 128 rows, then 64, 32
     * and 8) from a handful of prepared ones. 128 x 15 parameters stays far below SQLite's limit of 32,766.
     */
    private static final int MAX_ROWS_PER_INSERT = 128;

    private static final int PARAMS_PER_ROW = 15;
    private static final String[] MULTI_INSERT = new String[Integer.numberOfTrailingZeros(MAX_ROWS_PER_INSERT) + 1];

    static {
        for (int k = 0; k < MULTI_INSERT.length; k++) MULTI_INSERT[k] = multiInsert(1 << k);
    }

    private static String multiInsert(int rows) {
        var sql = new StringBuilder(
                "INSERT INTO jobs (id, task, queue, args, priority, state, max_attempts, scheduled_at, "
                        + "timeout_ms, backoff, meta, result_ttl_ms, waits_for, dependents, retain_with, attempt, enqueued_at, started_at, finished_at, lease_expires_at, worker_id, "
                        + "result, errors, unique_key, cancel_requested) VALUES ");
        int p = 2;
        for (int row = 0; row < rows; row++) {
            sql.append(row == 0 ? "(" : ",(");
            for (int k = 0; k < PARAMS_PER_ROW; k++) sql.append('?').append(p++).append(',');
            sql.append("0,?1,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0)");
        }
        return sql.toString();
    }

    private SqliteEnqueues() {}

    static List<EnqueueResult> enqueue(SqliteConnection db, List<NewJob> jobs, Instant now) throws SQLException {
        var out = new ArrayList<EnqueueResult>(jobs.size());
        var pending = new ArrayList<Job>(MAX_ROWS_PER_INSERT);
        for (NewJob n : jobs) {
            if (n.uniqueKey() == null) {
                pending.add(toJob(n, now));
                if (pending.size() == MAX_ROWS_PER_INSERT) flush(db, pending);
                out.add(new EnqueueResult(n.id(), true));
                continue;
            }
            flush(db, pending); // earlier jobs first, so a key is judged against everything before it
            String holder = holder(db, n.uniqueKey(), now);
            if (holder != null) {
                out.add(new EnqueueResult(holder, false));
                continue;
            }
            insertOne(db, toJob(n, now));
            PreparedStatement ps = db.prepare(PUT_KEY);
            ps.setString(1, n.uniqueKey());
            ps.setString(2, n.id());
            ps.setString(3, n.uniqueScope().name());
            if (n.uniqueScope() == UniqueScope.PERIOD)
                ps.setLong(4, now.plus(n.uniquePeriod()).toEpochMilli());
            else ps.setNull(4, java.sql.Types.INTEGER);
            ps.executeUpdate();
            out.add(new EnqueueResult(n.id(), true));
        }
        flush(db, pending);
        return out;
    }

    /** Writes the pending jobs (new, none with a unique key) in chunks of the largest power of two that fits. */
    private static void flush(SqliteConnection db, List<Job> pending) throws SQLException {
        int from = 0;
        while (from < pending.size()) {
            int rows = Math.min(MAX_ROWS_PER_INSERT, Integer.highestOneBit(pending.size() - from));
            List<Job> chunk = pending.subList(from, from + rows);
            PreparedStatement ps = db.prepare(MULTI_INSERT[Integer.numberOfTrailingZeros(rows)]);
            ps.setLong(1, chunk.get(0).enqueuedAt().toEpochMilli());
            int i = 2;
            for (Job j : chunk) i = bindNew(ps, i, j);
            try {
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!isConstraint(e)) throw e;
                for (Job j : chunk) insertOne(db, j); // names the duplicate id
            }
            from += rows;
        }
        pending.clear();
    }

    /** Binds the columns that differ between new jobs, in the multi-row insert's order; returns the next position. */
    private static int bindNew(PreparedStatement ps, int from, Job j) throws SQLException {
        int i = from;
        ps.setString(i++, j.id());
        ps.setString(i++, j.task());
        ps.setString(i++, j.queue());
        ps.setString(i++, j.args());
        ps.setInt(i++, j.priority());
        ps.setString(i++, j.state().name());
        ps.setInt(i++, j.maxAttempts());
        ps.setLong(i++, j.scheduledAt().toEpochMilli());
        if (j.timeout() == null) ps.setNull(i++, java.sql.Types.INTEGER);
        else ps.setLong(i++, j.timeout().toMillis());
        ps.setString(i++, j.backoff());
        ps.setString(i++, j.meta().isEmpty() ? null : SqliteJobCodec.metaToJson(j.meta()));
        if (j.resultTtl() == null) ps.setNull(i++, java.sql.Types.INTEGER);
        else ps.setLong(i++, j.resultTtl().toMillis());
        return JobSql.bindLinks(ps, i, j.links());
    }

    private static void insertOne(SqliteConnection db, Job job) throws SQLException {
        try {
            JobSql.insert(db.prepare(JobSql.INSERT), job);
        } catch (SQLException e) {
            if (isConstraint(e))
                throw new KyuException.InvalidInput(
                        "job id " + job.id() + " already exists; nothing of this batch was stored");
            throw e;
        }
    }

    /** The id of the job that still holds the key, or null when the key is free. */
    private static String holder(SqliteConnection db, String key, Instant now) throws SQLException {
        PreparedStatement ps = db.prepare(FIND_KEY);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            String jobId = rs.getString(1);
            String scope = rs.getString(2);
            long until = rs.getLong(3);
            boolean hasUntil = !rs.wasNull();
            String state = rs.getString(4);
            boolean held = switch (scope) {
                case "PERIOD" -> hasUntil && now.toEpochMilli() < until;
                case "QUEUED" -> "SCHEDULED".equals(state) || "QUEUED".equals(state);
                default -> "SCHEDULED".equals(state) || "QUEUED".equals(state) || "RUNNING".equals(state);
            };
            return held ? jobId : null;
        }
    }

    /**
     * The row a new job starts as. A job that waits for others is BLOCKED whatever its due time, stamped
     * with the enqueue time until its release makes it due at the release's now.
     */
    static Job toJob(NewJob n, Instant now) {
        boolean blocked = n.links().waitsFor() > 0;
        Instant due = blocked
                ? now
                : n.runAt() != null
                        ? n.runAt()
                        : n.delay() != null && n.delay().isPositive() ? now.plus(n.delay()) : now;
        return Job.builder()
                .id(n.id())
                .task(n.task())
                .queue(n.queue())
                .args(n.args())
                .priority(n.priority())
                .state(blocked ? JobState.BLOCKED : due.isAfter(now) ? JobState.SCHEDULED : JobState.QUEUED)
                .attempt(0)
                .maxAttempts(n.maxAttempts())
                .enqueuedAt(now)
                .scheduledAt(due)
                .uniqueKey(n.uniqueKey())
                .timeout(n.timeout())
                .backoff(n.backoff())
                .meta(n.meta())
                .resultTtl(n.resultTtl())
                .links(n.links())
                .build();
    }

    private static boolean isConstraint(SQLException e) {
        return SqliteErrors.code(e) == 19;
    }
}
