package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.job.Lease;
import dev.kyu.spi.Completion;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.WakeSignal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What workers report about the jobs they hold: lease extensions (heartbeats, with progress) and
 * completions, on the pool or in the caller's own transaction. The statements of a completion batch are
 * {@link PgCompletions}'; this class picks the connection and transaction they run in.
 */
final class PgOutcomes {
    private final PgPool db;
    private final PgCompletions completions;
    private final WakeSignal signal;
    private final String extendSql;

    PgOutcomes(String s, PgPool db, PgCompletions completions, WakeSignal signal) {
        this.db = db;
        this.completions = completions;
        this.signal = signal;
        // A heartbeat never waits for a row lock: the completion batch's UPDATE and this one lock the same
        // running jobs in no set order, and waiting would let the two deadlock. A job another transaction
        // holds (mostly a completion, finishing it) is skipped, and counts as held when this statement's
        // snapshot shows it leased to the caller; a lost lease shows at the next beat. The fence (queue,
        // attempt, worker, RUNNING) is checked again on the row as locked.
        this.extendSql = """
                WITH mine AS (
                  SELECT k.id, k.queue, k.attempt, l.fraction, l.message FROM %1$s.kyu_jobs k
                  JOIN unnest(?::text[], ?::text[], ?::int4[], ?::float8[], ?::text[]) AS l(id, queue, attempt, fraction, message) ON k.id = l.id::uuid
                  WHERE k.queue = l.queue AND k.attempt = l.attempt AND k.worker_id = ? AND k.state = 'RUNNING'),
                extended AS (
                  UPDATE %1$s.kyu_jobs j SET lease_expires_at = now() + ? * interval '1 millisecond',
                         progress = coalesce(c.fraction, j.progress),
                         progress_message = CASE WHEN c.fraction IS NULL THEN j.progress_message ELSE c.message END
                  FROM (SELECT k.id, m.fraction, m.message FROM %1$s.kyu_jobs k JOIN mine m ON k.id = m.id
                        WHERE k.queue = m.queue AND k.attempt = m.attempt AND k.worker_id = ? AND k.state = 'RUNNING'
                        FOR UPDATE OF k SKIP LOCKED) c
                  WHERE j.id = c.id
                  RETURNING j.id, j.cancel_requested)
                SELECT m.id::text, coalesce(e.cancel_requested, false) FROM mine m LEFT JOIN extended e ON e.id = m.id
                """.formatted(s);
    }

    LeaseReport leasesExtend(LeaseExtension ext) {
        if (ext.leases().isEmpty()) return LeaseReport.EMPTY;
        var ids = new ArrayList<String>();
        var queues = new ArrayList<String>();
        var attempts = new ArrayList<Integer>();
        var fractions = new ArrayList<Double>();
        var messages = new ArrayList<String>();
        Set<String> lost = new HashSet<>();
        for (Lease l : ext.leases()) {
            if (!JobIds.isValid(l.jobId()) || !l.workerId().equals(ext.workerId())) {
                lost.add(l.jobId());
                continue;
            }
            ids.add(l.jobId());
            queues.add(l.queue());
            attempts.add(l.attempt());
            var progress = ext.progress().get(l.jobId());
            fractions.add(progress == null ? null : progress.fraction());
            messages.add(progress == null ? null : progress.message());
        }
        Map<String, Boolean> held = ids.isEmpty()
                ? Map.of()
                : db.call("extend leases", c -> {
                    Map<String, Boolean> out = new HashMap<>();
                    try (PreparedStatement ps = c.prepareStatement(extendSql)) {
                        ps.setArray(1, PgPool.texts(c, ids));
                        ps.setArray(2, PgPool.texts(c, queues));
                        ps.setArray(3, PgPool.ints(c, attempts));
                        ps.setArray(4, c.createArrayOf("float8", fractions.toArray(new Double[0])));
                        ps.setArray(5, PgPool.texts(c, messages));
                        ps.setString(6, ext.workerId());
                        ps.setLong(7, Math.max(1, ext.leaseDuration().toMillis()));
                        ps.setString(8, ext.workerId());
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) out.put(rs.getString(1), rs.getBoolean(2));
                        }
                    }
                    return out;
                });
        Set<String> cancel = new HashSet<>();
        for (String id : ids) {
            Boolean flag = held.get(id.toLowerCase(Locale.ROOT));
            if (flag == null) lost.add(id);
            else if (flag) cancel.add(id);
        }
        return new LeaseReport(lost, cancel);
    }

    /** A batch of successes is one autocommit statement; any other batch is one transaction. */
    List<Boolean> jobsComplete(List<Completion> batch) {
        if (batch.isEmpty()) return List.of();
        Set<String> woken = new HashSet<>();
        List<Boolean> out = PgCompletions.successesOnly(batch)
                ? db.statement("complete jobs", c -> completions.complete(c, batch, woken))
                : db.inTransaction("complete jobs", c -> completions.complete(c, batch, woken));
        if (!woken.isEmpty()) signal.wake();
        return out;
    }

    /**
     * Outcomes in the caller's own transaction (a task that writes its results and completes its job in
     * one commit), fenced as any completion. The caller commits, and NOTIFY is delivered then; a
     * connection in auto-commit mode gets one transaction of its own for the batch. The connection must
     * reach this broker's database (the tables are schema-qualified, so its search_path does not matter).
     */
    List<Boolean> jobsComplete(List<Completion> batch, Connection callers) {
        Objects.requireNonNull(callers, "connection");
        if (batch.isEmpty()) return List.of();
        try {
            if (!callers.getAutoCommit()) return completions.complete(callers, batch, new HashSet<>());
            return ownTransaction(callers, batch);
        } catch (SQLException e) {
            throw db.translate("complete jobs in the caller's transaction", e);
        }
    }

    private List<Boolean> ownTransaction(Connection callers, List<Completion> batch) throws SQLException {
        Set<String> woken = new HashSet<>();
        callers.setAutoCommit(false);
        try {
            List<Boolean> out = completions.complete(callers, batch, woken);
            callers.commit();
            if (!woken.isEmpty()) signal.wake();
            return out;
        } catch (SQLException | RuntimeException e) {
            try {
                callers.rollback();
            } catch (SQLException ignored) {
                /* the failure is reported */
            }
            throw e;
        } finally {
            try {
                callers.setAutoCommit(true);
            } catch (SQLException ignored) {
                /* a broken connection: the caller will find out */
            }
        }
    }
}
