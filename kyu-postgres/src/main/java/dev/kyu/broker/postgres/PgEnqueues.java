package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.WakeSignal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stores a batch of jobs on a given connection: one multi-row INSERT fed by arrays, with one NOTIFY per
 * queue in the same statement, so the batch costs one round trip (a lone job without a key that is due at
 * once takes a plain one-row INSERT instead). Unique keys are enforced by the
 * database (a partial unique index for scopes QUEUED and ACTIVE, a keyed table for PERIOD), never by a
 * read before the write; an id that exists already fails the whole batch. A job that waits for others
 * ({@link dev.kyu.job.JobLinks#waitsFor()} above zero) is stored BLOCKED whatever its due time; a batch in
 * which no job has links sends their three arrays empty. It neither commits nor rolls back: on the caller's
 * connection the jobs and the wake-up become visible at the caller's commit.
 */
final class PgEnqueues {
    private final String insertSql;
    private final String insertUnkeyedSql;
    private final String insertOneSql;
    private final String periodSql;
    private final String periodHolderSql;
    private final String claimHolderSql;
    private final String channel;
    private final PgPool db;
    private final WakeSignal signal;

    PgEnqueues(String s, String channel, PgPool db, WakeSignal signal) {
        this.channel = channel;
        this.db = db;
        this.signal = signal;
        String rows = """
                  INSERT INTO %1$s.kyu_jobs (id, task, queue, args, priority, state, max_attempts, enqueued_at, scheduled_at,
                                             unique_key, unique_scope, unique_claim, timeout_ms, backoff, meta, result_ttl_ms,
                                             waits_for, dependents, retain_with)
                  SELECT encode(t.id, 'hex')::uuid, t.task, t.queue, t.args, t.priority,
                         CASE WHEN t.waits_for > 0 THEN 'BLOCKED' WHEN t.due > now() THEN 'SCHEDULED' ELSE 'QUEUED' END,
                         t.max_attempts, now(), CASE WHEN t.waits_for > 0 THEN now() ELSE t.due END,
                         t.unique_key, t.unique_scope,
                         CASE WHEN t.unique_scope IN ('QUEUED', 'ACTIVE') THEN t.unique_key END,
                         t.timeout_ms, t.backoff, t.meta, t.result_ttl_ms,
                         t.waits_for, string_to_array(t.dependents, ',')::uuid[], t.retain_with::uuid
                  FROM (SELECT u.id, coalesce(u.task, ?) AS task, coalesce(u.queue, ?) AS queue, u.args, u.priority,
                               u.max_attempts, u.unique_key, u.unique_scope, u.timeout_ms, u.backoff, u.result_ttl_ms,
                               coalesce(u.meta, ?) AS meta,
                               coalesce(u.run_at::timestamptz, now() + coalesce(u.delay_ms, 0) * interval '1 millisecond') AS due,
                               coalesce(u.waits_for, 0) AS waits_for, u.dependents, u.retain_with
                        FROM unnest(?::bytea[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::int4[], ?::text[], ?::int8[],
                                    ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[], ?::int8[], ?::int4[], ?::text[], ?::text[])
                             AS u(id, task, queue, args, priority, max_attempts, run_at, delay_ms, unique_key, unique_scope,
                                  timeout_ms, backoff, meta, result_ttl_ms, waits_for, dependents, retain_with)) t
                """.formatted(s);
        this.insertSql = "WITH ins AS (" + rows + """
                  ON CONFLICT (unique_claim) WHERE unique_claim IS NOT NULL DO NOTHING
                  RETURNING id, queue),
                woken AS (SELECT pg_notify(?, q.queue) FROM (SELECT DISTINCT queue FROM ins) q)
                SELECT id::text, (SELECT count(*) FROM woken) FROM ins
                """;
        // Without unique keys every row is inserted (or the statement fails, and its notifications with it):
        // no ON CONFLICT, whose speculative insertion writes one more WAL record per row (4 instead of 3), and
        // no RETURNING, since the queues to wake are known beforehand. A data-modifying WITH runs to completion
        // although nothing reads it.
        this.insertUnkeyedSql = "WITH ins AS (" + rows + ") SELECT count(pg_notify(?, q)) FROM unnest(?::text[]) AS q";
        // one job due now and without a key, the common call: a plain one-row INSERT whose RETURNING sends
        // the NOTIFY, so the server plans no unnest, CTE or DISTINCT and the driver builds no arrays
        this.insertOneSql = """
                INSERT INTO %1$s.kyu_jobs (id, task, queue, args, priority, state, max_attempts, enqueued_at, scheduled_at,
                                           timeout_ms, backoff, meta, result_ttl_ms)
                VALUES (?::uuid, ?, ?, ?, ?, 'QUEUED', ?, now(), now(), ?, ?, ?, ?)
                RETURNING pg_notify(?, queue)
                """.formatted(s);
        this.periodSql = """
                INSERT INTO %1$s.kyu_unique_periods AS p (key, job_id, until)
                SELECT u.key, u.job_id::uuid, now() + u.period_ms * interval '1 millisecond'
                FROM unnest(?::text[], ?::text[], ?::int8[]) AS u(key, job_id, period_ms)
                ON CONFLICT (key) DO UPDATE SET job_id = excluded.job_id, until = excluded.until WHERE p.until <= now()
                RETURNING key
                """.formatted(s);
        this.periodHolderSql =
                "SELECT key, job_id::text FROM %1$s.kyu_unique_periods WHERE key = ANY(?::text[])".formatted(s);
        this.claimHolderSql =
                "SELECT unique_claim, id::text FROM %1$s.kyu_jobs WHERE unique_claim = ANY(?::text[])".formatted(s);
    }

    /**
     * On the caller's connection the jobs and their NOTIFY become visible at the caller's commit; on the
     * pool, a batch that takes several statements (PERIOD keys) runs in one transaction.
     */
    List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        List<NewJob> jobs = request.jobs();
        if (jobs.isEmpty()) return List.of();
        Connection callers = request.connection();
        if (callers != null) {
            try {
                return enqueue(callers, jobs);
            } catch (SQLException e) {
                throw db.translate("enqueue " + jobs.size() + " job(s) in the caller's transaction", e);
            }
        }
        List<EnqueueResult> out = needsTransaction(jobs)
                ? db.inTransaction("enqueue " + jobs.size() + " job(s)", c -> enqueue(c, jobs))
                : db.call("enqueue " + jobs.size() + " job(s)", c -> enqueue(c, jobs));
        signal.wake(); // fetchers in this process need not wait for the NOTIFY round trip
        return out;
    }

    /** True when storing this batch takes more than one statement (PERIOD keys), so the pool path needs a transaction. */
    static boolean needsTransaction(List<NewJob> jobs) {
        for (NewJob j : jobs) if (j.uniqueKey() != null && j.uniqueScope() == UniqueScope.PERIOD) return true;
        return false;
    }

    List<EnqueueResult> enqueue(Connection c, List<NewJob> jobs) throws SQLException {
        if (jobs.isEmpty()) return List.of();
        if (jobs.size() == 1 && isPlainNow(jobs.get(0))) return insertOne(c, jobs.get(0));
        // within the batch, the first job with a key wins; later ones point at it
        Map<String, Integer> firstByKey = new HashMap<>();
        Map<Integer, Integer> sameAs = new HashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            String k = jobs.get(i).uniqueKey();
            if (k == null) continue;
            Integer first = firstByKey.putIfAbsent(k, i);
            if (first != null) sameAs.put(i, first);
        }
        if (firstByKey.isEmpty()) return insertUnkeyed(c, jobs);
        Map<Integer, String> heldBy = new HashMap<>(); // index -> id of the job already holding its key
        takePeriodKeys(c, jobs, sameAs, heldBy);

        List<NewJob> toInsert = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++)
            if (!sameAs.containsKey(i) && !heldBy.containsKey(i)) toInsert.add(jobs.get(i));
        Set<String> created = insert(c, toInsert);

        Set<String> lostKeys = new HashSet<>();
        for (NewJob j : toInsert) {
            if (!created.contains(lower(j.id())) && j.uniqueKey() != null && j.uniqueScope() != UniqueScope.PERIOD)
                lostKeys.add(j.uniqueKey());
        }
        Map<String, String> claimHolders = lostKeys.isEmpty() ? Map.of() : holders(c, claimHolderSql, lostKeys);

        var out = new ArrayList<EnqueueResult>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = jobs.get(i);
            Integer first = sameAs.get(i);
            if (first != null) {
                out.add(new EnqueueResult(out.get(first).id(), false));
            } else if (heldBy.containsKey(i)) {
                out.add(new EnqueueResult(heldBy.get(i), false));
            } else if (created.contains(lower(j.id()))) {
                out.add(new EnqueueResult(j.id(), true));
            } else {
                // a live job holds the key
                String holder = j.uniqueKey() == null ? null : claimHolders.get(j.uniqueKey());
                out.add(new EnqueueResult(holder != null ? holder : j.id(), false));
            }
        }
        return out;
    }

    private void takePeriodKeys(
            Connection c, List<NewJob> jobs, Map<Integer, Integer> sameAs, Map<Integer, String> heldBy)
            throws SQLException {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = jobs.get(i);
            if (j.uniqueKey() != null && j.uniqueScope() == UniqueScope.PERIOD && !sameAs.containsKey(i))
                wanted.put(j.uniqueKey(), i);
        }
        if (wanted.isEmpty()) return;
        var keys = new ArrayList<String>();
        var ids = new ArrayList<String>();
        var periods = new ArrayList<Long>();
        // sorted, so that two batches taking the same keys lock them in the same order
        wanted.keySet().stream().sorted().forEach(k -> {
            NewJob j = jobs.get(wanted.get(k));
            keys.add(k);
            ids.add(j.id());
            periods.add(Math.max(0, j.uniquePeriod().toMillis()));
        });
        Set<String> taken = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(periodSql)) {
            ps.setArray(1, PgPool.texts(c, keys));
            ps.setArray(2, PgPool.texts(c, ids));
            ps.setArray(3, PgPool.longs(c, periods));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) taken.add(rs.getString(1));
            }
        }
        var refused = new HashSet<>(wanted.keySet());
        refused.removeAll(taken);
        if (refused.isEmpty()) return;
        Map<String, String> holders = holders(c, periodHolderSql, refused);
        for (String k : refused)
            heldBy.put(
                    wanted.get(k),
                    holders.getOrDefault(k, jobs.get(wanted.get(k)).id()));
    }

    /** True for a job without a unique key that is due at once: it needs neither the conflict handling nor a due time. */
    private static boolean isPlainNow(NewJob j) {
        return j.uniqueKey() == null
                && j.runAt() == null
                && (j.delay() == null || j.delay().isZero())
                && j.links().isNone();
    }

    private List<EnqueueResult> insertOne(Connection c, NewJob j) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertOneSql)) {
            ps.setString(1, j.id());
            ps.setString(2, j.task());
            ps.setString(3, j.queue());
            ps.setString(4, j.args());
            ps.setInt(5, j.priority());
            ps.setInt(6, j.maxAttempts());
            if (j.timeout() == null) ps.setNull(7, Types.BIGINT);
            else ps.setLong(7, j.timeout().toMillis());
            ps.setString(8, j.backoff());
            ps.setString(9, JobRows.metaJson(j.meta()));
            if (j.resultTtl() == null) ps.setNull(10, Types.BIGINT);
            else ps.setLong(10, j.resultTtl().toMillis());
            ps.setString(11, channel);
            ps.executeQuery().close();
        }
        return List.of(new EnqueueResult(j.id(), true));
    }

    private List<EnqueueResult> insertUnkeyed(Connection c, List<NewJob> jobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertUnkeyedSql)) {
            int p = bind(c, ps, jobs);
            var queues = new java.util.TreeSet<String>();
            for (NewJob j : jobs) queues.add(j.queue());
            ps.setArray(p + 1, PgPool.texts(c, queues));
            ps.executeQuery().close();
        }
        var out = new ArrayList<EnqueueResult>(jobs.size());
        for (NewJob j : jobs) out.add(new EnqueueResult(j.id(), true));
        return out;
    }

    private Set<String> insert(Connection c, List<NewJob> jobs) throws SQLException {
        if (jobs.isEmpty()) return Set.of();
        Set<String> created = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            bind(c, ps, jobs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) created.add(rs.getString(1));
            }
        }
        return created;
    }

    /**
     * Sets the insert's parameters: one array per column, and the channel to notify; answers the last index
     * set. Ids go as their 16 bytes, and a task, queue or meta the whole batch shares goes once (its array
     * left empty): the driver encodes every text element on its own, and those were most of the producer's
     * time in a batch.
     */
    private int bind(Connection c, PreparedStatement ps, List<NewJob> jobs) throws SQLException {
        int n = jobs.size();
        NewJob first = jobs.get(0);
        boolean oneTask = true, oneQueue = true, oneMeta = true, linked = false;
        for (NewJob j : jobs) {
            linked |= !j.links().isNone();
            oneTask &= j.task().equals(first.task());
            oneQueue &= j.queue().equals(first.queue());
            oneMeta &= Objects.equals(j.meta(), first.meta());
        }
        var id = new byte[n][];
        var task = new ArrayList<String>(oneTask ? 0 : n);
        var queue = new ArrayList<String>(oneQueue ? 0 : n);
        var args = new ArrayList<String>(n);
        var priority = new ArrayList<Integer>(n);
        var maxAttempts = new ArrayList<Integer>(n);
        var runAt = new ArrayList<String>(n);
        var delay = new ArrayList<Long>(n);
        var key = new ArrayList<String>(n);
        var scope = new ArrayList<String>(n);
        var timeout = new ArrayList<Long>(n);
        var backoff = new ArrayList<String>(n);
        var meta = new ArrayList<String>(oneMeta ? 0 : n);
        var resultTtl = new ArrayList<Long>(n);
        // links, left empty (every job NULL: waits for nothing) when no job of the batch has any
        var waitsFor = new ArrayList<Integer>(linked ? n : 0);
        var dependents = new ArrayList<String>(linked ? n : 0);
        var retainWith = new ArrayList<String>(linked ? n : 0);
        for (int i = 0; i < n; i++) {
            NewJob j = jobs.get(i);
            id[i] = JobIds.bytes(j.id());
            if (!oneTask) task.add(j.task());
            if (!oneQueue) queue.add(j.queue());
            args.add(j.args());
            priority.add(j.priority());
            maxAttempts.add(j.maxAttempts());
            runAt.add(j.runAt() == null ? null : j.runAt().toString());
            delay.add(j.delay() == null ? null : j.delay().toMillis());
            key.add(j.uniqueKey());
            scope.add(j.uniqueKey() == null ? null : j.uniqueScope().name());
            timeout.add(j.timeout() == null ? null : j.timeout().toMillis());
            backoff.add(j.backoff());
            if (!oneMeta) meta.add(JobRows.metaJson(j.meta()));
            resultTtl.add(j.resultTtl() == null ? null : j.resultTtl().toMillis());
            if (linked) {
                waitsFor.add(j.links().waitsFor());
                dependents.add(
                        j.links().dependents().isEmpty()
                                ? null
                                : String.join(",", j.links().dependents()));
                retainWith.add(j.links().retainWith());
            }
        }
        int p = 0;
        // the values shared by the batch, or null where each job has its own
        ps.setString(++p, oneTask ? first.task() : null);
        ps.setString(++p, oneQueue ? first.queue() : null);
        ps.setString(++p, oneMeta ? JobRows.metaJson(first.meta()) : null);
        ps.setArray(++p, c.createArrayOf("bytea", id));
        ps.setArray(++p, PgPool.texts(c, task));
        ps.setArray(++p, PgPool.texts(c, queue));
        ps.setArray(++p, PgPool.texts(c, args));
        ps.setArray(++p, PgPool.ints(c, priority));
        ps.setArray(++p, PgPool.ints(c, maxAttempts));
        ps.setArray(++p, PgPool.texts(c, runAt));
        ps.setArray(++p, PgPool.longs(c, delay));
        ps.setArray(++p, PgPool.texts(c, key));
        ps.setArray(++p, PgPool.texts(c, scope));
        ps.setArray(++p, PgPool.longs(c, timeout));
        ps.setArray(++p, PgPool.texts(c, backoff));
        ps.setArray(++p, PgPool.texts(c, meta));
        ps.setArray(++p, PgPool.longs(c, resultTtl));
        ps.setArray(++p, PgPool.ints(c, waitsFor));
        ps.setArray(++p, PgPool.texts(c, dependents));
        ps.setArray(++p, PgPool.texts(c, retainWith));
        ps.setString(++p, channel);
        return p;
    }

    private static String lower(String id) {
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, String> holders(Connection c, String sql, Set<String> keys) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, PgPool.texts(c, keys));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}
