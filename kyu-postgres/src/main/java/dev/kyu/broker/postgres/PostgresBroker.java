package dev.kyu.broker.postgres;

import dev.kyu.spi.WakeSignal;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import dev.kyu.job.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL engine: jobs live in one table of the configured schema; fetch claims and leases in one
 * {@code UPDATE … FOR UPDATE SKIP LOCKED} statement; waiting fetchers are woken by LISTEN/NOTIFY (with a
 * poll as fallback); time is the database's {@code now()}. Enqueue and completion may run inside the
 * caller's own transaction ({@link #jobsEnqueue} with {@link EnqueueRequest#connection()},
 * {@link #jobsComplete(List, Connection)}).
 */
public final class PostgresBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBroker.class);
    /** How often a fetcher re-reads while LISTEN is in place, in case a notification went astray. */
    private static final Duration LISTENING_POLL = Duration.ofSeconds(5);
    /** How often a fetch that keeps claiming jobs also reads whether delayed jobs came due (see fetchOrWait). */
    private static final long DUE_CHECK_EVERY_NS = Duration.ofMillis(100).toNanos();

    private final PgSettings settings;
    private final HikariDataSource pool;
    private final Db db;
    private final String s; // quoted schema
    private final String channel;
    private final WakeSignal signal = new WakeSignal();
    /** When a fetch last read the next due time ({@link System#nanoTime}); fetchers share it, races are harmless. */
    private volatile long lastDueCheck = System.nanoTime() - DUE_CHECK_EVERY_NS;
    private final WaitingQueues waiting = new WaitingQueues();
    private final AwaitedJobs awaited = new AwaitedJobs();
    private final NotifyListener listener;
    private final Enqueuer enqueuer;
    final Completer completer; // package-private for the plan test
    final Maintenance maintenance;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean listenerStarted = new AtomicBoolean();
    private final AtomicBoolean autovacuumChecked = new AtomicBoolean();
    final String claimSql; // package-private for the plan test
    private final String nextDueSql, extendSql, quarantineSql, getSql, getManySql, cancelSql, queueCountsSql, deleteSql, purgeSql;
    private final String markAwaitedSql;

    PostgresBroker(PgSettings settings) {
        this.settings = settings;
        this.s = settings.quotedSchema();
        this.channel = ("kyu_" + settings.schema()).substring(0, Math.min(63, 4 + settings.schema().length()));
        this.pool = openPool(settings);
        this.db = new Db(pool, settings);
        this.enqueuer = new Enqueuer(s, channel);
        this.completer = new Completer(s, channel);
        this.maintenance = new Maintenance(s, channel, completer);
        // The lease is stamped with the time the row is claimed, not with now() (the statement's start):
        // a claim that waited (for a lock, say) before taking its snapshot can lease a job enqueued after
        // it began, and its start must not read as earlier than that job's enqueue.
        // A row whose attempt or fence is at its type's limit (written behind Kyu's back) is leased unchanged
        // rather than overflowing, which would fail the whole claim for one row: JobRows.readToRun then
        // finds it at the limit and it is quarantined like any other row that breaks the contract.
        // The claimed ids are gathered once, as an array (an InitPlan), and the rows found by primary key,
        // whatever the plan. Joined to the locking subquery instead, the statement could get a generic plan
        // (the one PostgreSQL keeps for a prepared statement) that hashed the subquery and scanned the
        // whole table: with generic plans forced, workers fell seconds behind, and in one benchmark a
        // claim ran for over ten minutes, reading the queue's index again and again.
        this.claimSql = """
                UPDATE %1$s.kyu_jobs j SET state = 'RUNNING',
                       attempt = CASE WHEN j.attempt < 2147483647 THEN j.attempt + 1 ELSE j.attempt END,
                       fence = CASE WHEN j.fence < 9223372036854775807 THEN j.fence + 1 ELSE j.fence END, worker_id = ?, started_at = clock_timestamp(),
                       lease_expires_at = clock_timestamp() + ? * interval '1 millisecond', cancel_requested = false,
                       unique_claim = CASE WHEN j.unique_scope = 'QUEUED' THEN NULL ELSE j.unique_claim END
                WHERE j.id = ANY(ARRAY(
                        SELECT id FROM %1$s.kyu_jobs WHERE state = 'QUEUED' AND queue = ?
                          AND NOT EXISTS (SELECT 1 FROM %1$s.kyu_queues p WHERE p.queue = ? AND p.paused)
                        ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING %2$s
                """.formatted(s, prefixed("j."));
        this.nextDueSql = """
                SELECT extract(epoch FROM (min(scheduled_at) - now())) * 1000 FROM %1$s.kyu_jobs
                WHERE state = 'SCHEDULED' AND queue = ANY(?::text[])
                """.formatted(s);
        // A heartbeat never waits for a row lock. It used to: the completer's batch UPDATE and this one lock
        // the same running jobs in no set order, and under load the two deadlocked (a second's stall, then a
        // retry). A job another transaction holds (mostly the completer, finishing it) is skipped, and counts
        // as held when this statement's snapshot shows it leased to the caller; a lost lease shows at the
        // next beat. The fence is checked again on the row as locked.
        this.extendSql = """
                WITH mine AS (
                  SELECT k.id, k.attempt, l.fraction, l.message FROM %1$s.kyu_jobs k
                  JOIN unnest(?::text[], ?::int4[], ?::float8[], ?::text[]) AS l(id, attempt, fraction, message) ON k.id = l.id::uuid
                  WHERE k.attempt = l.attempt AND k.worker_id = ? AND k.state = 'RUNNING'),
                extended AS (
                  UPDATE %1$s.kyu_jobs j SET lease_expires_at = now() + ? * interval '1 millisecond',
                         progress = coalesce(c.fraction, j.progress),
                         progress_message = CASE WHEN c.fraction IS NULL THEN j.progress_message ELSE c.message END
                  FROM (SELECT k.id, m.fraction, m.message FROM %1$s.kyu_jobs k JOIN mine m ON k.id = m.id
                        WHERE k.attempt = m.attempt AND k.worker_id = ? AND k.state = 'RUNNING'
                        FOR UPDATE OF k SKIP LOCKED) c
                  WHERE j.id = c.id
                  RETURNING j.id, j.cancel_requested)
                SELECT m.id::text, coalesce(e.cancel_requested, false) FROM mine m LEFT JOIN extended e ON e.id = m.id
                """.formatted(s);
        String releases = Releases.after(s, channel);
        // A quarantined job has ended (FAILED): it releases its dependents, as read from the row it locks first.
        this.quarantineSql = """
                WITH o AS (SELECT id, dependents FROM %1$s.kyu_jobs WHERE id = ?::uuid FOR UPDATE),
                q AS (
                  UPDATE %1$s.kyu_jobs j SET state = 'FAILED', finished_at = coalesce(j.finished_at, now()), lease_expires_at = NULL,
                         unique_claim = NULL, cancel_requested = false, dependents = NULL, waits_for = greatest(j.waits_for, 0), errors = ?,
                         meta = CASE WHEN ? THEN '{}' ELSE j.meta END
                  FROM o WHERE j.id = o.id RETURNING j.id),
                kyu_ended AS (SELECT id, dependents FROM o)%2$s
                SELECT count(*) FROM q
                """.formatted(s, releases);
        // one count per index: live states through the partial indexes fetch, promotion and rescue keep,
        // finished ones through kyu_jobs_done_by_queue (no index covers all of a queue's rows)
        this.queueCountsSql = """
                SELECT 'QUEUED', count(*) FROM %1$s.kyu_jobs WHERE state = 'QUEUED' AND queue = ?
                UNION ALL SELECT 'RUNNING', count(*) FROM %1$s.kyu_jobs WHERE state = 'RUNNING' AND queue = ?
                UNION ALL SELECT 'SCHEDULED', count(*) FROM %1$s.kyu_jobs WHERE state = 'SCHEDULED' AND queue = ?
                UNION ALL SELECT 'BLOCKED', count(*) FROM %1$s.kyu_jobs WHERE state = 'BLOCKED' AND queue = ?
                UNION ALL SELECT state, count(*) FROM %1$s.kyu_jobs WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND queue = ?
                          GROUP BY state
                """.formatted(s);
        this.getSql = "SELECT %2$s FROM %1$s.kyu_jobs WHERE id = ?::uuid".formatted(s, JobRows.COLUMNS);
        this.getManySql = "SELECT %2$s FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[])".formatted(s, JobRows.COLUMNS);
        // A job that has not started (BLOCKED included) ends CANCELLED and releases its dependents; a running one
        // is asked to stop, and releases them when it does.
        this.cancelSql = """
                WITH old AS (SELECT id, state, dependents FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[]) ORDER BY id FOR UPDATE),
                changed AS (
                  UPDATE %1$s.kyu_jobs j SET
                         state = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN 'CANCELLED' ELSE j.state END,
                         finished_at = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN now() ELSE j.finished_at END,
                         unique_claim = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN NULL ELSE j.unique_claim END,
                         dependents = CASE WHEN old.state IN ('BLOCKED', 'SCHEDULED', 'QUEUED') THEN NULL ELSE j.dependents END,
                         cancel_requested = (old.state = 'RUNNING') OR j.cancel_requested
                  FROM old WHERE j.id = old.id
                  RETURNING j.id, old.state),
                kyu_ended AS (SELECT id, dependents FROM old WHERE state IN ('BLOCKED', 'SCHEDULED', 'QUEUED'))%2$s
                SELECT id::text, state FROM changed
                """.formatted(s, releases);
        this.deleteSql = """
                WITH kyu_ended AS (DELETE FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[]) AND state <> 'RUNNING' RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases);
        // one arm per state, so each can read its own partial index (kyu_jobs_fetch, kyu_jobs_scheduled, kyu_jobs_blocked)
        this.purgeSql = """
                WITH kyu_ended AS (
                  DELETE FROM %1$s.kyu_jobs WHERE (state = 'QUEUED' AND queue = ?) OR (state = 'SCHEDULED' AND queue = ?)
                    OR (state = 'BLOCKED' AND queue = ?)
                  RETURNING id, dependents)%2$s
                SELECT count(*) FROM kyu_ended
                """.formatted(s, releases);
        this.markAwaitedSql = "UPDATE " + s + ".kyu_jobs SET awaited = true WHERE id = ?::uuid AND NOT awaited"
                + " AND state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')";
        try {
            prepareSchema();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.listener = settings.listen()
                ? new NotifyListener(settings.jdbcUrl(), settings.driverProperties(), channel, signal, waiting, awaited, settings.redacted())
                : null;
    }

    /**
     * LISTEN starts with the first fetch or await, not at open: a process that only enqueues (a web
     * application) then holds no extra connection, and its commits' NOTIFYs wake no backend and no thread
     * of its own.
     */
    private void listenOnFirstFetch() {
        if (listener != null && !listenerStarted.get() && listenerStarted.compareAndSet(false, true)) listener.start();
    }

    private static String prefixed(String p) {
        var out = new StringBuilder();
        for (String col : JobRows.COLUMNS.split(",\\s*")) out.append(out.isEmpty() ? "" : ", ").append(p).append(col);
        return out.toString();
    }

    private static HikariDataSource openPool(PgSettings st) {
        var hc = new HikariConfig();
        hc.setPoolName("kyu-postgres-" + st.schema());
        hc.setJdbcUrl(st.jdbcUrl());
        hc.setDataSourceProperties(st.driverProperties());
        hc.setMaximumPoolSize(st.poolSize());
        hc.setMinimumIdle(Math.min(2, st.poolSize()));
        hc.setConnectionTimeout(st.connectTimeout().toMillis());
        hc.setValidationTimeout(Math.min(st.connectTimeout().toMillis(), 3000));
        hc.setInitializationFailTimeout(1); // the first connection is made now, so a bad URL fails at open
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw PgErrors.atOpen(st, e);
        }
    }

    private void prepareSchema() {
        try (Connection c = pool.getConnection()) {
            if (settings.migrate()) {
                Migrations.apply(c, settings.schema());
            } else {
                int v = Migrations.currentVersion(c, settings.schema());
                if (v < Migrations.LATEST) {
                    throw new KyuException.BrokerConfig("schema '" + settings.schema() + "' at " + settings.redacted() + " is at version " + v
                            + ", Kyu needs " + Migrations.LATEST + ": apply the SQL files in dev/kyu/broker/postgres/migrations/ or drop migrate=false");
                }
            }
        } catch (SQLException e) {
            throw PgErrors.atOpen(settings, e);
        }
    }

    /**
     * Every finished, retried or deleted job leaves a dead row version and dead index entries behind; without
     * autovacuum they pile up until someone runs VACUUM, and fetching and counting slow down with them. Said
     * once, at a process's first fetch: a worker needs to know, a command that only enqueues or reads does not.
     */
    private void warnIfAutovacuumOff() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT current_setting('autovacuum')"); ResultSet rs = ps.executeQuery()) {
            if (rs.next() && "off".equalsIgnoreCase(rs.getString(1))) {
                LOG.warn("PostgreSQL {} runs with autovacuum off: dead rows of finished and deleted jobs will slow fetching"
                        + " until VACUUM runs; turn autovacuum on", settings.redacted());
            }
        } catch (SQLException e) {
            LOG.debug("could not read the autovacuum setting of {}: {}", settings.redacted(), e.getMessage());
        }
    }

    // ---- identity ----------------------------------------------------------------------------------

    @Override
    public String describe() {
        return settings.redacted();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRANSACTIONAL_ENQUEUE, Capability.TRANSACTIONAL_COMPLETE, Capability.SHARED_ACROSS_PROCESSES,
                Capability.JOB_LINKS);
    }

    @Override
    public Instant now() {
        return db.call("read the clock", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        });
    }

    /** The schema this broker works in. */
    public String schema() {
        return settings.schema();
    }

    // ---- producing ---------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        List<dev.kyu.spi.NewJob> jobs = request.jobs();
        if (jobs.isEmpty()) return List.of();
        Connection callers = request.connection();
        if (callers != null) {
            try {
                return enqueuer.enqueue(callers, jobs); // the caller commits; NOTIFY is delivered then
            } catch (SQLException e) {
                throw db.translate("enqueue " + jobs.size() + " job(s) in the caller's transaction", e);
            }
        }
        List<EnqueueResult> out = Enqueuer.needsTransaction(jobs)
                ? db.inTransaction("enqueue " + jobs.size() + " job(s)", c -> enqueuer.enqueue(c, jobs))
                : db.call("enqueue " + jobs.size() + " job(s)", c -> enqueuer.enqueue(c, jobs));
        signal.wake(); // fetchers in this process need not wait for the NOTIFY round trip
        return out;
    }

    // ---- working -----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsFetch(FetchRequest r) throws InterruptedException {
        long deadline = System.nanoTime() + r.maxWait().toNanos();
        listenOnFirstFetch();
        if (!autovacuumChecked.get() && autovacuumChecked.compareAndSet(false, true)) warnIfAutovacuumOff();
        List<String> queues = List.copyOf(new LinkedHashSet<>(r.queues()));
        waiting.add(queues);
        try {
            return fetchOrWait(r, deadline);
        } finally {
            waiting.remove(queues);
        }
    }

    private List<Job> fetchOrWait(FetchRequest r, long deadline) {
        while (true) {
            if (closed.get()) return List.of();
            long seen = signal.generation();
            List<Job> got;
            long dueMs;
            try {
                got = claim(r, r.limit());
                if (got.size() == r.limit()) return got;
                // Jobs in hand go to work at once: the read below is a round trip (and a plan) that would
                // delay them. A fetch that keeps claiming still looks for due delayed jobs every 100 ms, so
                // a delay or a retry back-off is not left to the maintenance sweep under load.
                long sinceCheck = System.nanoTime() - lastDueCheck;
                if (!got.isEmpty() && sinceCheck < DUE_CHECK_EVERY_NS) return got;
                lastDueCheck = System.nanoTime();
                // one read tells both whether delayed jobs or retries came due since the last maintenance
                // sweep and, when none did, how long to wait: an idle fetch costs a claim and this read
                dueMs = nextDueMillis(r.queues());
                if (dueMs <= 0) got = promoteAndClaim(r, got);
                if (!got.isEmpty()) return got;
            } catch (KyuException e) {
                if (closed.get()) return List.of(); // closed under a blocked fetch: that is the wake-up close promises
                throw e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return List.of();
            boolean listening = listener != null && listener.isUp();
            long pollMs = listening ? LISTENING_POLL.toMillis() : settings.pollInterval().toMillis();
            long waitNs = Math.min(left, WakeSignal.millis(Math.max(1, Math.min(pollMs, dueMs))));
            try {
                signal.awaitAfter(seen, waitNs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /** Promotes the due jobs of the fetched queues and claims what room is left; jobs another fetcher took are not waited for. */
    private List<Job> promoteAndClaim(FetchRequest r, List<Job> got) {
        int promoted = db.call("promote due jobs", c -> maintenance.promote(c, r.queues(), 1000));
        if (promoted == 0) return got;
        var more = new ArrayList<>(got);
        more.addAll(claim(r, r.limit() - got.size()));
        return more;
    }

    private List<Job> claim(FetchRequest r, int limit) {
        return db.call("fetch jobs", c -> {
            var out = new ArrayList<Job>();
            var corrupt = new ArrayList<JobRows.Corrupt>();
            for (String queue : new LinkedHashSet<>(r.queues())) {
                int want = limit - out.size() - corrupt.size();
                if (want <= 0) break;
                var batch = new ArrayList<Job>();
                try (PreparedStatement ps = c.prepareStatement(claimSql)) {
                    ps.setString(1, r.workerId());
                    ps.setLong(2, Math.max(1, r.leaseDuration().toMillis()));
                    ps.setString(3, queue);
                    ps.setString(4, queue);
                    ps.setInt(5, want);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            switch (JobRows.readToRun(rs)) {
                                case JobRows.Good g -> batch.add(g.job());
                                case JobRows.Corrupt bad -> corrupt.add(bad);
                            }
                        }
                    }
                }
                batch.sort(Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::id));
                out.addAll(batch);
            }
            for (JobRows.Corrupt bad : corrupt) quarantine(c, bad);
            return out;
        });
    }

    /** Milliseconds until the next delayed job of these queues is due: zero or less when one is due now, Long.MAX_VALUE when none. */
    private long nextDueMillis(List<String> queues) {
        return db.call("read the next due time", c -> {
            try (PreparedStatement ps = c.prepareStatement(nextDueSql)) {
                ps.setArray(1, Db.texts(c, queues));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    double ms = rs.getDouble(1);
                    return rs.wasNull() ? Long.MAX_VALUE : (long) Math.ceil(ms);
                }
            }
        });
    }

    /** Moves an unreadable row to FAILED with a kyu.CorruptJob error that keeps its raw text. */
    private void quarantine(Connection c, JobRows.Corrupt bad) throws SQLException {
        var err = JobError.reason(Math.max(bad.attempt(), 0), JobError.CORRUPT, "corrupt job row: " + bad.reason() + "; raw: " + bad.raw(), Instant.now());
        try (PreparedStatement ps = c.prepareStatement(quarantineSql)) {
            ps.setString(1, bad.id());
            ps.setString(2, JobRows.errorsJson(List.of(err)));
            ps.setBoolean(3, bad.reason().startsWith("meta"));
            ps.executeQuery().close();
        }
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension ext) {
        if (ext.leases().isEmpty()) return LeaseReport.EMPTY;
        var ids = new ArrayList<String>();
        var attempts = new ArrayList<Integer>();
        var fractions = new ArrayList<Double>();
        var messages = new ArrayList<String>();
        Set<String> lost = new HashSet<>();
        for (Lease l : ext.leases()) {
            if (!JobIds.isValid(l.jobId()) || !l.workerId().equals(ext.workerId())) { lost.add(l.jobId()); continue; }
            ids.add(l.jobId());
            attempts.add(l.attempt());
            var progress = ext.progress().get(l.jobId());
            fractions.add(progress == null ? null : progress.fraction());
            messages.add(progress == null ? null : progress.message());
        }
        Map<String, Boolean> held = ids.isEmpty() ? Map.of() : db.call("extend leases", c -> {
            Map<String, Boolean> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(extendSql)) {
                ps.setArray(1, Db.texts(c, ids));
                ps.setArray(2, Db.ints(c, attempts));
                ps.setArray(3, c.createArrayOf("float8", fractions.toArray(new Double[0])));
                ps.setArray(4, Db.texts(c, messages));
                ps.setString(5, ext.workerId());
                ps.setLong(6, Math.max(1, ext.leaseDuration().toMillis()));
                ps.setString(7, ext.workerId());
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

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        Set<String> woken = new HashSet<>();
        List<Boolean> out = Completer.successesOnly(completions)
                ? db.statement("complete jobs", c -> completer.complete(c, completions, woken))
                : db.inTransaction("complete jobs", c -> completer.complete(c, completions, woken));
        if (!woken.isEmpty()) signal.wake();
        return out;
    }

    /**
     * Outcomes in the caller's own transaction (a task that writes its results and completes its job in
     * one commit), fenced as any completion. The caller commits, and NOTIFY is delivered then; a
     * connection in auto-commit mode gets one transaction of its own for the batch. The connection must
     * reach this broker's database (the tables are schema-qualified, so its search_path does not matter).
     */
    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, Connection callers) {
        java.util.Objects.requireNonNull(callers, "connection");
        if (completions.isEmpty()) return List.of();
        try {
            if (!callers.getAutoCommit()) return completer.complete(callers, completions, new HashSet<>());
            return ownTransaction(callers, completions);
        } catch (SQLException e) {
            throw db.translate("complete jobs in the caller's transaction", e);
        }
    }

    private List<Boolean> ownTransaction(Connection callers, List<Completion> completions) throws SQLException {
        Set<String> woken = new HashSet<>();
        callers.setAutoCommit(false);
        try {
            List<Boolean> out = completer.complete(callers, completions, woken);
            callers.commit();
            if (!woken.isEmpty()) signal.wake();
            return out;
        } catch (SQLException | RuntimeException e) {
            try { callers.rollback(); } catch (SQLException ignored) { /* the failure is reported */ }
            throw e;
        } finally {
            try { callers.setAutoCommit(true); } catch (SQLException ignored) { /* a broken connection: the caller will find out */ }
        }
    }

    // ---- maintenance -------------------------------------------------------------------------------

    @Override
    public int jobsPromoteDue(int limit) {
        if (limit <= 0) return 0;
        int n = db.call("promote due jobs", c -> {
            sweepBeyondRange(c);
            return maintenance.promote(c, null, limit);
        });
        if (n > 0) signal.wake();
        return n;
    }

    /**
     * Leaves leases alone for {@code outageGrace} after this process last failed to reach the database:
     * the workers could not heartbeat either, and deserve the time to reconnect and extend their leases
     * before their jobs are taken from them (a database restart must not fail a job as "worker lost").
     */
    @Override
    public RescueResult leasesRescueExpired(int limit) {
        if (limit <= 0) return RescueResult.NONE;
        if (db.outageWithin(settings.outageGrace().toNanos())) return RescueResult.NONE;
        Set<String> woken = new HashSet<>();
        RescueResult r = db.inTransaction("rescue expired leases", c -> maintenance.rescue(c, limit, woken));
        if (!woken.isEmpty()) signal.wake();
        return r;
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        return db.call("prune old jobs", c -> {
            sweepUnreachableQueues(c);
            return maintenance.prune(c, request);
        });
    }

    // ---- control -----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        List<String> valid = ids.stream().filter(JobIds::isValid).toList();
        Map<String, String> before = valid.isEmpty() ? Map.of() : db.inTransaction("cancel jobs", c -> {
            Map<String, String> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(cancelSql)) {
                ps.setArray(1, Db.texts(c, valid));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
        var out = new ArrayList<CancelResult>(ids.size());
        for (String id : ids) {
            String state = JobIds.isValid(id) ? before.get(id.toLowerCase(Locale.ROOT)) : null;
            out.add(state == null ? CancelResult.NOT_FOUND : switch (state) {
                case "BLOCKED", "SCHEDULED", "QUEUED" -> CancelResult.CANCELLED;
                case "RUNNING" -> CancelResult.CANCEL_REQUESTED;
                default -> CancelResult.ALREADY_FINISHED;
            });
        }
        return out;
    }

    @Override
    public int jobsRetry(RetryRequest r) {
        String set = "SET state = 'QUEUED', attempt = 0, scheduled_at = now(), finished_at = NULL, worker_id = NULL, "
                + "lease_expires_at = NULL, cancel_requested = false, result = NULL";
        int n;
        if (!r.ids().isEmpty()) {
            List<String> valid = r.ids().stream().filter(JobIds::isValid).toList();
            if (valid.isEmpty()) return 0;
            n = db.call("retry jobs", c -> notifyingUpdate(c, "UPDATE " + s + ".kyu_jobs " + set
                    + " WHERE id = ANY(?::uuid[]) AND state IN ('FAILED', 'CANCELLED') RETURNING queue", ps -> ps.setArray(1, Db.texts(c, valid))));
        } else {
            n = db.call("retry failed jobs", c -> notifyingUpdate(c, "UPDATE " + s + ".kyu_jobs " + set
                    + " WHERE state = 'FAILED'" + (r.queue() == null ? "" : " AND queue = ?") + " RETURNING queue",
                    ps -> { if (r.queue() != null) ps.setString(1, r.queue()); }));
        }
        if (n > 0) signal.wake();
        return n;
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Runs an UPDATE … RETURNING queue and notifies each queue it touched, in one statement. */
    private int notifyingUpdate(Connection c, String update, Binder binder) throws SQLException {
        String sql = "WITH u AS (" + update + "), q AS (SELECT queue, count(*) AS n FROM u GROUP BY queue) "
                + "SELECT queue, n, pg_notify('" + channel + "', queue) FROM q";
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) n += rs.getInt(2);
            }
        }
        return n;
    }

    @Override
    public int jobsDelete(List<String> ids) {
        List<String> valid = ids.stream().filter(JobIds::isValid).toList();
        if (valid.isEmpty()) return 0;
        return db.statement("delete jobs", c -> count(c, deleteSql, ps -> ps.setArray(1, Db.texts(c, valid))));
    }

    @Override
    public int queuePurge(String queue) {
        return db.statement("purge queue " + queue, c -> count(c, purgeSql, ps -> {
            for (int i = 1; i <= 3; i++) ps.setString(i, queue);
        }));
    }

    /** Runs a statement whose one row is a count. */
    private static int count(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        db.call((paused ? "pause" : "resume") + " queue " + queue, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".kyu_queues (queue, paused) VALUES (?, ?) "
                    + "ON CONFLICT (queue) DO UPDATE SET paused = excluded.paused")) {
                ps.setString(1, queue);
                ps.setBoolean(2, paused);
                ps.executeUpdate();
            }
            if (!paused) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, channel);
                    ps.setString(2, queue);
                    ps.executeQuery().close();
                }
            }
            return null;
        });
        if (!paused) signal.wake();
    }

    // ---- queries -----------------------------------------------------------------------------------

    /**
     * Marks the job awaited once LISTEN is in place, then re-reads it whenever the end of a job awaited in
     * this process is announced (V6's triggers send {@code ended <id>} for marked rows only, so jobs nobody
     * awaits cost nothing). The mark is committed before the read: a job that ends after it announces its
     * end to a connection already listening, and one that ended before it is seen ended by the read. While
     * LISTEN is down, or with listen=false, it re-reads every poll interval.
     */
    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        if (!JobIds.isValid(id)) return Optional.empty();
        long deadline = System.nanoTime() + timeout.toNanos();
        listenOnFirstFetch();
        awaited.add(id);
        try {
            boolean marked = false;
            while (true) {
                long seen = awaited.signal().generation();
                boolean listening = listener != null && listener.isUp();
                if (listening && !marked) {
                    markAwaited(id);
                    marked = true;
                }
                Optional<Job> job = jobGet(id);
                if (job.isEmpty() || job.get().state().isTerminal()) return job;
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.get()) return job;
                Duration cap = listening ? LISTENING_POLL : settings.pollInterval();
                awaited.signal().awaitAfter(seen, Math.min(left, cap.toNanos()));
            }
        } finally {
            awaited.remove(id);
        }
    }

    private void markAwaited(String id) {
        db.call("mark job " + id + " awaited", c -> {
            try (PreparedStatement ps = c.prepareStatement(markAwaitedSql)) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Job> jobGet(String id) {
        if (!JobIds.isValid(id)) return Optional.empty();
        return db.call("read job " + id, c -> {
            for (int pass = 0; pass < 2; pass++) {
                try (PreparedStatement ps = c.prepareStatement(getSql)) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) return Optional.<Job>empty();
                        switch (JobRows.read(rs)) {
                            case JobRows.Good g -> { return Optional.of(g.job()); }
                            case JobRows.Corrupt bad -> quarantine(c, bad);
                        }
                    }
                }
            }
            return Optional.<Job>empty();
        });
    }

    /** One statement for all the ids; a corrupt row among them is quarantined and the read made once more. */
    @Override
    public List<Job> jobsGet(List<String> ids) {
        List<String> valid = ids.stream().filter(id -> id != null && JobIds.isValid(id)).toList();
        if (valid.isEmpty()) return List.of();
        return db.call("read " + valid.size() + " job(s)", c -> {
            for (int pass = 0; ; pass++) {
                Map<String, Job> found = new HashMap<>();
                var corrupt = new ArrayList<JobRows.Corrupt>();
                try (PreparedStatement ps = c.prepareStatement(getManySql)) {
                    ps.setArray(1, Db.texts(c, valid));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            switch (JobRows.read(rs)) {
                                case JobRows.Good g -> found.put(g.id(), g.job());
                                case JobRows.Corrupt bad -> corrupt.add(bad);
                            }
                        }
                    }
                }
                if (corrupt.isEmpty() || pass > 0) {
                    var out = new ArrayList<Job>(valid.size());
                    for (String id : valid) {
                        Job j = found.get(id.toLowerCase(Locale.ROOT));
                        if (j != null) out.add(j);
                    }
                    return out;
                }
                for (JobRows.Corrupt bad : corrupt) quarantine(c, bad);
            }
        });
    }

    @Override
    public List<Job> jobsList(JobQuery q) {
        var where = new ArrayList<String>();
        var params = new ArrayList<String>();
        // a literal (an enum name, safe to inline), so the planner can prove a partial index's predicate
        if (q.state() != null) where.add("state = '" + q.state().name() + "'");
        if (q.queue() != null) { where.add("queue = ?"); params.add(q.queue()); }
        if (q.task() != null) { where.add("task = ?"); params.add(q.task()); }
        if (q.text() != null && !q.text().isBlank()) {
            where.add("(strpos(id::text, lower(?)) > 0 OR strpos(lower(task), lower(?)) > 0 OR strpos(lower(args), lower(?)) > 0 "
                    + "OR strpos(lower(errors), lower(?)) > 0)");
            for (int i = 0; i < 4; i++) params.add(q.text());
        }
        String sql = "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY id DESC LIMIT ? OFFSET ?";
        return db.call("list jobs", c -> {
            for (int pass = 0; ; pass++) {
                var jobs = new ArrayList<Job>();
                var corrupt = new ArrayList<JobRows.Corrupt>();
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 1;
                    for (String p : params) ps.setString(i++, p);
                    ps.setInt(i++, q.limit());
                    ps.setInt(i, q.offset());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            switch (JobRows.read(rs)) {
                                case JobRows.Good g -> jobs.add(g.job());
                                case JobRows.Corrupt bad -> corrupt.add(bad);
                            }
                        }
                    }
                }
                if (corrupt.isEmpty() || pass > 0) return jobs;
                for (JobRows.Corrupt bad : corrupt) quarantine(c, bad);
            }
        });
    }

    @Override
    public List<QueueInfo> queuesList() {
        return db.call("list queues", c -> {
            sweepUnknownStates(c);
            Map<String, Map<JobState, Long>> counts = new TreeMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            Map<String, Boolean> paused = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT queue, state, count(*), min(scheduled_at) FROM " + s
                    + ".kyu_jobs GROUP BY queue, state"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JobState st = known(rs.getString(2));
                    if (st == null) continue;
                    counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class)).merge(st, rs.getLong(3), Long::sum);
                    if (st == JobState.QUEUED) oldest.put(rs.getString(1), JobRows.instant(rs, 4));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT queue, paused FROM " + s + ".kyu_queues"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paused.put(rs.getString(1), rs.getBoolean(2));
                    if (rs.getBoolean(2)) counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class));
                }
            }
            var out = new ArrayList<QueueInfo>();
            counts.forEach((queue, m) -> out.add(new QueueInfo(queue, paused.getOrDefault(queue, false), m, oldest.get(queue))));
            return out;
        });
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        return db.call("count queue " + queue, c -> {
            var m = new EnumMap<JobState, Long>(JobState.class);
            for (JobState st : JobState.values()) m.put(st, 0L);
            try (PreparedStatement ps = c.prepareStatement(queueCountsSql)) {
                for (int i = 1; i <= 5; i++) ps.setString(i, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JobState st = known(rs.getString(1));
                        if (st != null) m.merge(st, rs.getLong(2), Long::sum);
                    }
                }
            }
            return m;
        });
    }

    private static JobState known(String state) {
        try {
            return JobState.valueOf(state);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * SCHEDULED rows due past the range any enqueue accepts ('infinity' included) would wait for ever: no
     * promotion reaches them. They go to FAILED (kyu.CorruptJob), found through the due-time index.
     */
    private void sweepBeyondRange(Connection c) throws SQLException {
        String sql = "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs WHERE state = 'SCHEDULED' AND scheduled_at > '"
                + JobOptions.LATEST + "'::timestamptz LIMIT 100 FOR UPDATE SKIP LOCKED";
        var corrupt = new ArrayList<JobRows.Corrupt>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) if (JobRows.readToRun(rs) instanceof JobRows.Corrupt bad) corrupt.add(bad);
        }
        for (JobRows.Corrupt bad : corrupt) quarantine(c, bad);
    }

    /**
     * QUEUED rows of queues whose names enqueue would refuse would wait for ever: no worker can ask for
     * such a queue (their delayed rows join them here once due). The queues are walked one name at a time
     * through the fetch index, a probe per queue rather than a scan; the rows go to FAILED (kyu.CorruptJob).
     */
    private void sweepUnreachableQueues(Connection c) throws SQLException {
        var bad = new ArrayList<String>();
        String after = null;
        for (int n = 0; n < 10_000; n++) {
            String sql = "SELECT min(queue) FROM " + s + ".kyu_jobs WHERE state = 'QUEUED'" + (after == null ? "" : " AND queue > ?");
            String queue;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (after != null) ps.setString(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    queue = rs.next() ? rs.getString(1) : null;
                }
            }
            if (queue == null) break;
            if (!dev.kyu.task.Task.isValidName(queue)) bad.add(queue);
            after = queue;
        }
        var corrupt = new ArrayList<JobRows.Corrupt>();
        for (String queue : bad) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs WHERE state = 'QUEUED' "
                    + "AND queue = ? LIMIT 100 FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) if (JobRows.readToRun(rs) instanceof JobRows.Corrupt broken) corrupt.add(broken);
                }
            }
        }
        for (JobRows.Corrupt row : corrupt) quarantine(c, row);
    }

    /** Rows whose state this version does not know go to FAILED (kyu.CorruptJob) so every count adds up. */
    private void sweepUnknownStates(Connection c) throws SQLException {
        String sql = "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs WHERE state NOT IN "
                + "('BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED') LIMIT 1000";
        var corrupt = new ArrayList<JobRows.Corrupt>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) if (JobRows.read(rs) instanceof JobRows.Corrupt bad) corrupt.add(bad);
        }
        for (JobRows.Corrupt bad : corrupt) quarantine(c, bad);
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return db.call("read statistics", c -> {
            String sql = "SELECT minute, queue, succeeded, failed, retried FROM " + s + ".kyu_stats WHERE minute >= date_trunc('minute', ?::timestamptz)"
                    + (queue == null ? "" : " AND queue = ?") + " ORDER BY minute, queue";
            var out = new ArrayList<StatsBucket>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, (since == null ? Instant.EPOCH : since).toString());
                if (queue != null) ps.setString(2, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StatsBucket(JobRows.instant(rs, 1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
            }
            return out;
        });
    }

    // ---- worker registry ---------------------------------------------------------------------------

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        String json;
        try {
            json = JobRows.JSON.writeValueAsString(info.withHeartbeatAt(null));
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput("cannot write worker report of " + info.id() + " as JSON", e);
        }
        db.call("record worker heartbeat", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".kyu_workers (id, info, heartbeat_at) VALUES (?, ?, now()) "
                    + "ON CONFLICT (id) DO UPDATE SET info = excluded.info, heartbeat_at = excluded.heartbeat_at")) {
                ps.setString(1, info.id());
                ps.setString(2, json);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<WorkerInfo> workersList() {
        return db.call("list workers", c -> {
            var out = new ArrayList<WorkerInfo>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, info, heartbeat_at FROM " + s + ".kyu_workers ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        WorkerInfo w = JobRows.JSON.readValue(rs.getString(2), WorkerInfo.class);
                        out.add(w.withHeartbeatAt(JobRows.instant(rs, 3)));
                    } catch (JsonProcessingException | RuntimeException e) {
                        // an unreadable report is left for pruning; the listing goes on
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void workerRemove(String workerId) {
        update("remove worker " + workerId, "DELETE FROM " + s + ".kyu_workers WHERE id = ?", workerId);
    }

    // ---- small shared state ------------------------------------------------------------------------

    @Override
    public Optional<String> kvGet(String key) {
        return db.call("read key " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + s + ".kyu_kv WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public void kvPut(String key, String value) {
        update("write key " + key, "INSERT INTO " + s + ".kyu_kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key, value);
    }

    @Override
    public void kvDelete(String key) {
        update("delete key " + key, "DELETE FROM " + s + ".kyu_kv WHERE key = ?", key);
    }

    /** One conditional statement each: a concurrent writer's change is seen by the row lock the UPDATE or DELETE waits for. */
    @Override
    public boolean kvCompareAndSet(String key, String expected, String value) {
        java.util.Objects.requireNonNull(key, "key");
        String kv = s + ".kyu_kv";
        if (expected == null && value == null) return kvGet(key).isEmpty();
        if (expected == null) {
            return count("set key " + key, "INSERT INTO " + kv + " (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value) == 1;
        }
        if (value == null) return count("delete key " + key, "DELETE FROM " + kv + " WHERE key = ? AND value = ?", key, expected) == 1;
        return count("set key " + key, "UPDATE " + kv + " SET value = ? WHERE key = ? AND value = ?", value, key, expected) == 1;
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return db.call("list keys", c -> {
            var out = new TreeMap<String, String>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM " + s + ".kyu_kv WHERE left(key, ?) = ? ORDER BY key")) {
                ps.setInt(1, prefix.length());
                ps.setString(2, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    @Override
    public boolean lockTry(String name, String owner, Duration ttl) {
        return db.call("take lock " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + ".kyu_locks AS l (name, owner, expires_at) "
                    + "VALUES (?, ?, now() + ? * interval '1 millisecond') ON CONFLICT (name) DO UPDATE "
                    + "SET owner = excluded.owner, expires_at = excluded.expires_at WHERE l.owner = excluded.owner OR l.expires_at <= now() "
                    + "RETURNING owner")) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setLong(3, Math.max(1, ttl.toMillis()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void lockRelease(String name, String owner) {
        update("release lock " + name, "DELETE FROM " + s + ".kyu_locks WHERE name = ? AND owner = ?", name, owner);
    }

    private void update(String what, String sql, String... args) {
        count(what, sql, args);
    }

    private int count(String what, String sql, String... args) {
        return db.call(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
                return ps.executeUpdate();
            }
        });
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        signal.close();
        awaited.close();
        if (listener != null) listener.close();
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresBroker[" + settings.redacted() + ", schema " + settings.schema() + "]";
    }

    /** True while this broker's LISTEN connection is in place. */
    boolean listening() {
        return listener != null && listener.isUp();
    }

    /** For tests and tools: the pool this broker uses. */
    javax.sql.DataSource dataSource() {
        return pool;
    }
}
