package dev.kyu.broker.postgres;

import dev.kyu.job.JobError;
import dev.kyu.spi.Completion;
import dev.kyu.spi.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records attempts' outcomes on a given connection, one statement per kind of outcome, each fed by arrays
 * and fenced by the lease (state RUNNING, same queue, same worker, same attempt). Successes also count themselves
 * into the per-minute statistics in the same statement; failures read their error history under a row
 * lock, append in Java (so an unreadable history cannot fail the batch) and write back in one statement.
 * Each statement that ends jobs also releases their dependents ({@link Releases}), so a batch of successes
 * is still one statement. The caller owns the transaction.
 */
final class PgCompletions {
    final String successSql; // package-private for the plan test
    private final String successUncountedSql;
    private final String releaseSql;
    private final String lockFailedSql;
    private final String lockAllSql;
    private final String failSql;
    private final String statsSql;
    private final String notifySql;
    private final String channel;

    PgCompletions(String s, String channel) {
        this.channel = channel;
        String releases = Releases.after(s, channel);
        // The ended jobs' dependents are read through a second reference to the row (o): RETURNING shows the
        // row as updated, with its dependents already cleared. A RUNNING row matching the lease has the same
        // dependents in every version the statement can see: only the end of the job clears them.
        // Locks are taken parents first, then their dependents, then the statistics row: counted reads
        // kyu_released, so the release runs before the INSERT whatever order PostgreSQL picks for the CTEs.
        // The failure path (failSql, then statsSql) and rescue take theirs in the same order, so that a
        // success and a failure of two parents of one job, in one queue and minute, cannot deadlock.
        String done = """
                WITH done AS (
                  UPDATE %1$s.kyu_jobs j SET state = 'SUCCEEDED', result = u.result, finished_at = now(),
                         lease_expires_at = NULL, unique_claim = NULL, cancel_requested = false, dependents = NULL
                  FROM unnest(?::text[], ?::text[], ?::int4[], ?::text[], ?::text[]) AS u(id, queue, attempt, worker_id, result)
                       JOIN %1$s.kyu_jobs o ON o.id = u.id::uuid
                  WHERE j.id = u.id::uuid AND j.state = 'RUNNING' AND j.queue = u.queue AND j.attempt = u.attempt AND j.worker_id = u.worker_id
                  RETURNING j.id, j.queue, j.attempt, j.worker_id, o.dependents),
                kyu_ended AS (SELECT id, dependents FROM done WHERE dependents IS NOT NULL)%2$s""".formatted(s, releases);
        this.successSql = done + """
                ,
                counted AS (
                  INSERT INTO %1$s.kyu_stats AS s (minute, queue, succeeded)
                  SELECT date_trunc('minute', now()), queue, count(*) FROM done
                  WHERE (SELECT count(*) FROM kyu_released) >= 0 GROUP BY queue ORDER BY queue
                  ON CONFLICT (minute, queue) DO UPDATE SET succeeded = s.succeeded + excluded.succeeded)
                SELECT id::text, attempt, worker_id, queue FROM done
                """.formatted(s);
        // in a batch of several kinds the statistics are written once, last (see countOutcomes)
        this.successUncountedSql = done + "\nSELECT id::text, attempt, worker_id, queue FROM done\n";
        // a hand-back of a job whose cancel was asked for ends it CANCELLED: it releases its dependents
        this.releaseSql = """
                WITH back AS (
                  UPDATE %1$s.kyu_jobs j SET
                         state = CASE WHEN j.cancel_requested THEN 'CANCELLED' WHEN u.delay_ms > 0 THEN 'SCHEDULED' ELSE 'QUEUED' END,
                         attempt = greatest(j.attempt - 1, 0),
                         scheduled_at = CASE WHEN u.delay_ms > 0 THEN now() + u.delay_ms * interval '1 millisecond' ELSE j.scheduled_at END,
                         finished_at = CASE WHEN j.cancel_requested THEN now() END,
                         worker_id = NULL, lease_expires_at = NULL, cancel_requested = false,
                         unique_claim = CASE WHEN j.cancel_requested THEN NULL ELSE j.unique_claim END,
                         dependents = CASE WHEN j.cancel_requested THEN NULL ELSE j.dependents END
                  FROM unnest(?::text[], ?::text[], ?::int4[], ?::text[], ?::int8[]) AS u(id, queue, attempt, worker_id, delay_ms)
                       JOIN %1$s.kyu_jobs o ON o.id = u.id::uuid
                  WHERE j.id = u.id::uuid AND j.state = 'RUNNING' AND j.queue = u.queue AND j.attempt = u.attempt AND j.worker_id = u.worker_id
                  RETURNING j.id, j.queue, u.attempt, u.worker_id, CASE WHEN j.state = 'CANCELLED' THEN o.dependents END AS dependents),
                kyu_ended AS (SELECT id, dependents FROM back WHERE dependents IS NOT NULL)%2$s
                SELECT id::text, queue, attempt, worker_id FROM back
                """.formatted(s, releases);
        this.lockFailedSql = """
                SELECT id::text, worker_id, attempt, errors, queue FROM %1$s.kyu_jobs
                WHERE id = ANY(?::uuid[]) AND state = 'RUNNING' ORDER BY id FOR UPDATE
                """.formatted(s);
        this.lockAllSql = """
                SELECT 1 FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[]) AND state = 'RUNNING' ORDER BY id FOR UPDATE
                """.formatted(s);
        // the rows are locked (lockFailedSql) by this transaction: o shows their dependents as they are
        this.failSql = """
                WITH failed AS (
                  UPDATE %1$s.kyu_jobs j SET state = u.state, errors = u.errors,
                         scheduled_at = CASE WHEN u.state = 'SCHEDULED' THEN now() + u.delay_ms * interval '1 millisecond' ELSE j.scheduled_at END,
                         finished_at = CASE WHEN u.state = 'SCHEDULED' THEN NULL ELSE now() END,
                         worker_id = CASE WHEN u.state = 'SCHEDULED' THEN NULL ELSE j.worker_id END,
                         unique_claim = CASE WHEN u.state = 'SCHEDULED' THEN j.unique_claim END,
                         dependents = CASE WHEN u.state = 'SCHEDULED' THEN j.dependents END,
                         lease_expires_at = NULL, cancel_requested = false
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[]) AS u(id, state, errors, delay_ms)
                       JOIN %1$s.kyu_jobs o ON o.id = u.id::uuid
                  WHERE j.id = u.id::uuid
                  RETURNING j.id, CASE WHEN u.state <> 'SCHEDULED' THEN o.dependents END AS dependents),
                kyu_ended AS (SELECT id, dependents FROM failed WHERE dependents IS NOT NULL)%2$s
                SELECT count(*) FROM failed
                """.formatted(s, releases);
        this.statsSql = """
                INSERT INTO %1$s.kyu_stats AS s (minute, queue, succeeded, failed, retried)
                SELECT date_trunc('minute', now()), u.queue, u.succeeded, u.failed, u.retried
                FROM unnest(?::text[], ?::int8[], ?::int8[], ?::int8[]) AS u(queue, succeeded, failed, retried) ORDER BY u.queue
                ON CONFLICT (minute, queue) DO UPDATE SET succeeded = s.succeeded + excluded.succeeded,
                       failed = s.failed + excluded.failed, retried = s.retried + excluded.retried
                """.formatted(s);
        this.notifySql = "SELECT pg_notify(?, q) FROM unnest(?::text[]) AS q";
    }

    /** True when the batch is successes only, which is one autocommit statement. */
    static boolean successesOnly(List<Completion> completions) {
        for (Completion c : completions) if (!(c.outcome() instanceof Outcome.Succeeded)) return false;
        return true;
    }

    /** Applies the batch; for each completion, whether its lease still held. Queues given work back are returned in {@code woken}. */
    List<Boolean> complete(Connection c, List<Completion> completions, Set<String> woken) throws SQLException {
        Set<String> applied = new HashSet<>();
        List<Completion> ok = new ArrayList<>(), released = new ArrayList<>(), failed = new ArrayList<>();
        for (Completion x : completions) {
            if (!dev.kyu.job.JobIds.isValid(x.lease().jobId())) continue; // no such job: fenced out
            switch (x.outcome()) {
                case Outcome.Succeeded s -> ok.add(x);
                case Outcome.Released r -> released.add(x);
                case Outcome.Retry r -> failed.add(x);
                case Outcome.Dead d -> failed.add(x);
                case Outcome.Cancelled k -> failed.add(x);
            }
        }
        // Rows are locked in id order, as cancel, retry and delete lock theirs, so that a completion batch
        // and an admin action over the same running jobs cannot deadlock. Successes and hand-backs lock their
        // rows as their UPDATE joins them, in the order of its arrays; failures lock theirs ORDER BY id first.
        // A mixed batch runs up to three statements, so it locks every row first (one more statement, off
        // the success-only hot path).
        // A batch of several kinds writes its statistics once, after every release: a statistics row
        // locked before a dependent could close a cycle with a transaction that holds the dependent.
        ok.sort(BY_ID);
        released.sort(BY_ID);
        boolean mixed = (ok.isEmpty() ? 0 : 1) + (released.isEmpty() ? 0 : 1) + (failed.isEmpty() ? 0 : 1) > 1;
        if (mixed) lockAll(c, ok, released, failed);
        Map<String, long[]> perQueue = new TreeMap<>(); // queue -> {succeeded, failed, retried}
        if (!ok.isEmpty()) succeed(c, ok, applied, mixed ? perQueue : null);
        if (!released.isEmpty()) release(c, released, applied, woken);
        if (!failed.isEmpty()) fail(c, failed, applied, woken, perQueue);
        countOutcomes(c, perQueue);
        if (!woken.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(notifySql)) {
                ps.setString(1, channel);
                ps.setArray(2, PgPool.texts(c, woken));
                ps.executeQuery().close();
            }
        }
        var out = new ArrayList<Boolean>(completions.size());
        for (Completion x : completions) out.add(applied.contains(key(x.lease())));
        return out;
    }

    /** Job ids are canonical UUIDs, so their text order ignoring case is PostgreSQL's uuid order. */
    private static final Comparator<Completion> BY_ID =
            Comparator.comparing(x -> x.lease().jobId(), String.CASE_INSENSITIVE_ORDER);

    private void lockAll(Connection c, List<Completion> ok, List<Completion> released, List<Completion> failed)
            throws SQLException {
        var ids = new ArrayList<String>(ok.size() + released.size() + failed.size());
        for (List<Completion> kind : List.of(ok, released, failed))
            for (Completion x : kind) ids.add(x.lease().jobId());
        try (PreparedStatement ps = c.prepareStatement(lockAllSql)) {
            ps.setArray(1, PgPool.texts(c, ids));
            ps.executeQuery().close();
        }
    }

    /**
     * One lease: a completion is answered true only for the exact lease that was applied, queue included, so
     * a lease naming another queue is refused even beside the right one in the same batch. The worker id is
     * length-prefixed: worker ids and queue names are free text, and no two leases may share a key.
     */
    private static String key(String id, int attempt, String workerId, String queue) {
        return id.toLowerCase(java.util.Locale.ROOT) + "/" + attempt + "/" + workerId.length() + ":" + workerId + "/"
                + queue;
    }

    private static String key(dev.kyu.job.Lease l) {
        return key(l.jobId(), l.attempt(), l.workerId(), l.queue());
    }

    /** With {@code perQueue} null the statement counts the successes itself; else they are added to it. */
    private void succeed(Connection c, List<Completion> ok, Set<String> applied, Map<String, long[]> perQueue)
            throws SQLException {
        var ids = new ArrayList<String>();
        var queues = new ArrayList<String>();
        var attempts = new ArrayList<Integer>();
        var workers = new ArrayList<String>();
        var results = new ArrayList<String>();
        for (Completion x : ok) {
            ids.add(x.lease().jobId());
            queues.add(x.lease().queue());
            attempts.add(x.lease().attempt());
            workers.add(x.lease().workerId());
            results.add(((Outcome.Succeeded) x.outcome()).result());
        }
        try (PreparedStatement ps = c.prepareStatement(perQueue == null ? successSql : successUncountedSql)) {
            ps.setArray(1, PgPool.texts(c, ids));
            ps.setArray(2, PgPool.texts(c, queues));
            ps.setArray(3, PgPool.ints(c, attempts));
            ps.setArray(4, PgPool.texts(c, workers));
            ps.setArray(5, PgPool.texts(c, results));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.add(key(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4)));
                    if (perQueue != null) perQueue.computeIfAbsent(rs.getString(4), q -> new long[3])[0]++;
                }
            }
        }
    }

    private void release(Connection c, List<Completion> rel, Set<String> applied, Set<String> woken)
            throws SQLException {
        var ids = new ArrayList<String>();
        var queues = new ArrayList<String>();
        var attempts = new ArrayList<Integer>();
        var workers = new ArrayList<String>();
        var delays = new ArrayList<Long>();
        for (Completion x : rel) {
            ids.add(x.lease().jobId());
            queues.add(x.lease().queue());
            attempts.add(x.lease().attempt());
            workers.add(x.lease().workerId());
            delays.add(Math.max(0, ((Outcome.Released) x.outcome()).delay().toMillis()));
        }
        try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
            ps.setArray(1, PgPool.texts(c, ids));
            ps.setArray(2, PgPool.texts(c, queues));
            ps.setArray(3, PgPool.ints(c, attempts));
            ps.setArray(4, PgPool.texts(c, workers));
            ps.setArray(5, PgPool.longs(c, delays));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.add(key(rs.getString(1), rs.getInt(3), rs.getString(4), rs.getString(2)));
                    woken.add(rs.getString(2));
                }
            }
        }
    }

    private record Held(String workerId, int attempt, String errors, String queue) {}

    private void fail(
            Connection c, List<Completion> failed, Set<String> applied, Set<String> woken, Map<String, long[]> perQueue)
            throws SQLException {
        Map<String, Held> held = new HashMap<>();
        var lockIds = new ArrayList<String>();
        for (Completion x : failed) lockIds.add(x.lease().jobId());
        try (PreparedStatement ps = c.prepareStatement(lockFailedSql)) {
            ps.setArray(1, PgPool.texts(c, lockIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next())
                    held.put(
                            rs.getString(1), new Held(rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5)));
            }
        }
        var ids = new ArrayList<String>();
        var states = new ArrayList<String>();
        var errors = new ArrayList<String>();
        var delays = new ArrayList<Long>();
        for (Completion x : failed) {
            String id = x.lease().jobId().toLowerCase(java.util.Locale.ROOT);
            Held h = held.get(id);
            String k = key(x.lease());
            // the fence of the other statements, checked here on the row as locked
            if (h == null
                    || !x.lease().queue().equals(h.queue())
                    || !x.lease().workerId().equals(h.workerId())
                    || x.lease().attempt() != h.attempt()
                    || applied.contains(k)) continue;
            applied.add(k);
            String state;
            JobError err;
            long delay = 0;
            switch (x.outcome()) {
                case Outcome.Retry r -> {
                    state = "SCHEDULED";
                    err = r.error();
                    delay = Math.max(0, r.delay().toMillis());
                }
                case Outcome.Dead d -> {
                    state = "FAILED";
                    err = d.error();
                }
                case Outcome.Cancelled c2 -> {
                    state = "CANCELLED";
                    err = c2.reason();
                }
                default -> throw new IllegalStateException("not a failure: " + x.outcome());
            }
            ids.add(id);
            states.add(state);
            errors.add(JobRows.appendError(h.errors(), err));
            delays.add(delay);
            long[] n = perQueue.computeIfAbsent(h.queue(), q -> new long[3]);
            if (state.equals("FAILED")) n[1]++;
            if (state.equals("SCHEDULED")) {
                n[2]++;
                woken.add(h.queue()); // a fetcher waiting on this queue re-reads when the retry is due
            }
        }
        if (ids.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(failSql)) {
            ps.setArray(1, PgPool.texts(c, ids));
            ps.setArray(2, PgPool.texts(c, states));
            ps.setArray(3, PgPool.texts(c, errors));
            ps.setArray(4, PgPool.longs(c, delays));
            ps.executeQuery().close();
        }
    }

    /** Adds succeeded, failed and retried counts per queue ({@code {succeeded, failed, retried}}) to this minute's statistics. */
    void countOutcomes(Connection c, Map<String, long[]> perQueue) throws SQLException {
        var queues = new ArrayList<String>();
        var ok = new ArrayList<Long>();
        var f = new ArrayList<Long>();
        var r = new ArrayList<Long>();
        perQueue.forEach((q, n) -> {
            if (n[0] + n[1] + n[2] == 0) return;
            queues.add(q);
            ok.add(n[0]);
            f.add(n[1]);
            r.add(n[2]);
        });
        if (queues.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(statsSql)) {
            ps.setArray(1, PgPool.texts(c, queues));
            ps.setArray(2, PgPool.longs(c, ok));
            ps.setArray(3, PgPool.longs(c, f));
            ps.setArray(4, PgPool.longs(c, r));
            ps.executeUpdate();
        }
    }
}
