package dev.kyu.broker.sqlite;

import dev.kyu.spi.WakeSignal;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code sqlite:PATH} engine: every verb of the broker SPI as one transaction on one SQLite file,
 * which several processes on one host may share. This class only sequences the work: the SQL lives in
 * {@link SqliteEnqueues}, {@link SqliteClaims}, {@link SqliteOutcomes}, {@link SqliteSweeps}, {@link SqliteControl},
 * {@link SqliteQueries} and {@link SqliteRegistry}, the release of a job's dependents in {@link SqliteLinks}; connections and
 * retries in {@link SqliteStore}.
 *
 * <p>All times are the injected clock's, stored as epoch milliseconds. Every write reads the clock inside
 * its transaction, once the write lock is held, so stamps follow commit order: a writer that waited for
 * the lock never stamps an earlier time than one that committed before it (read before the lock, a fetch
 * that waited could stamp startedAt before the enqueuedAt of its job).
 *
 * <p>A blocked fetch or {@link #jobAwait} wakes on this JVM's own commits at once ({@link WakeSignal}), on
 * other processes' commits when the file system reports their writes to the WAL ({@link WalWatch}), and
 * otherwise looks again every poll interval.
 */
public final class SqliteBroker implements Broker {
    private static final Set<Capability> CAPABILITIES = EnumSet.of(
            Capability.INJECTABLE_CLOCK, Capability.SHARED_ACROSS_PROCESSES, Capability.TRANSACTIONAL_ENQUEUE,
            Capability.TRANSACTIONAL_COMPLETE, Capability.JOB_LINKS);

    private final String url;
    private final Clock clock;
    private final SqliteStore store;
    private final WakeSignal signal = new WakeSignal();
    /** Other processes' commits, watched from the first fetch or await on (a producer-only process needs none). */
    private final java.util.concurrent.atomic.AtomicBoolean watchStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile WalWatch watch;

    private SqliteBroker(String url, Clock clock, SqliteStore store) {
        this.url = url;
        this.clock = clock;
        this.store = store;
    }

    public static SqliteBroker open(BrokerConfig config) {
        SqliteOptions options = SqliteOptions.parse(config);
        return new SqliteBroker(config.redactedUrl(), config.clock(), SqliteStore.open(options));
    }

    /** The absolute path of the database file. */
    public String path() {
        return store.label();
    }

    /** A PRAGMA's value as the writer (or reader) connection sees it, to check the settings really in force. */
    String pragma(boolean writer, String name) {
        if (!name.matches("[a-z_]+")) throw new IllegalArgumentException("bad pragma name " + name);
        SqlWork<String> work = db -> {
            try (var rs = db.connection().createStatement().executeQuery("PRAGMA " + name)) {
                return rs.next() ? rs.getString(1) : null;
            }
        };
        return writer ? store.write("read pragma", work) : store.read("read pragma", work);
    }

    @Override
    public String describe() {
        return url;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    // ---- producing ---------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        if (request.jobs().isEmpty()) return List.of();
        Connection c = request.connection();
        if (c != null) return enqueueOnCallerConnection(c, request);
        List<EnqueueResult> out = store.write("enqueue", db -> SqliteEnqueues.enqueue(db, request.jobs(), now()));
        signal.wake();
        return out;
    }

    /**
     * The caller's transaction on the same file: the jobs commit or vanish with it. No wake-up can be
     * sent at the caller's commit, so fetchers see these jobs at their next poll. A connection in
     * auto-commit mode gets one transaction for the whole batch.
     */
    private List<EnqueueResult> enqueueOnCallerConnection(Connection c, EnqueueRequest request) {
        checkSameFile(c, "a transactional enqueue");
        boolean ownTransaction;
        try {
            ownTransaction = c.getAutoCommit();
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(store.label(), "enqueue in the caller's transaction", e);
        }
        List<EnqueueResult> out = store.onCallerConnection(c, "enqueue in the caller's transaction",
                db -> SqliteEnqueues.enqueue(db, request.jobs(), now()));
        if (ownTransaction) signal.wake(); // committed here, so fetchers in this process may look at once
        return out;
    }

    private void checkSameFile(Connection c, String what) {
        String theirs;
        try {
            theirs = c.getMetaData().getURL();
        } catch (SQLException e) {
            throw new KyuException.InvalidInput("the connection given for " + what + " cannot be used: " + SqliteErrors.oneLine(e));
        }
        String file = theirs != null && theirs.startsWith("jdbc:sqlite:") ? theirs.substring("jdbc:sqlite:".length()) : null;
        if (file != null && file.contains("?")) file = file.substring(0, file.indexOf('?'));
        boolean same = false;
        try {
            same = file != null && java.nio.file.Files.isSameFile(java.nio.file.Path.of(file), java.nio.file.Path.of(store.label()));
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            same = false;
        }
        if (!same) {
            throw new KyuException.InvalidInput(what + " on " + url + " needs a JDBC connection to the same file ("
                    + store.label() + "), got " + (theirs == null ? "an unknown connection" : BrokerConfig.redact(theirs)));
        }
    }

    // ---- working -----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        long deadline = System.nanoTime() + request.maxWait().toNanos();
        long pollNanos = store.options().pollInterval().toNanos();
        startWatch();
        while (true) {
            if (signal.isClosed()) return List.of();
            long seen = signal.generation();
            Instant now = now();
            if (store.read("fetch", db -> SqliteClaims.anyDue(db, request.queues(), now))) {
                List<Job> jobs = store.write("fetch", db -> SqliteClaims.claim(db, request, now()));
                if (!jobs.isEmpty()) return jobs;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return List.of();
            try {
                signal.awaitAfter(seen, Math.min(left, pollNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /** Watches other processes' commits from the first fetch or await on: a process that only enqueues needs none. */
    private void startWatch() {
        if (!watchStarted.compareAndSet(false, true)) return;
        watch = WalWatch.start(java.nio.file.Path.of(store.label()), signal::wake);
        if (closed.get() && watch != null) watch.close(); // closed while it started
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        if (extension.leases().isEmpty()) return LeaseReport.EMPTY;
        return store.write("extend leases", db -> SqliteOutcomes.extend(db, extension, now()));
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        List<Boolean> out = store.write("complete", db -> SqliteOutcomes.complete(db, completions, now()));
        // Retries and hand-backs may have made work available at once.
        signal.wake();
        return out;
    }

    /**
     * Outcomes in the caller's transaction on the same file, fenced as any completion: they commit or
     * vanish with it. No wake-up can be sent at the caller's commit (fetchers see retried jobs at their
     * next poll); a connection in auto-commit mode gets one transaction for the whole batch.
     */
    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, Connection c) {
        java.util.Objects.requireNonNull(c, "connection");
        checkSameFile(c, "a transactional completion");
        if (completions.isEmpty()) return List.of();
        boolean ownTransaction;
        try {
            ownTransaction = c.getAutoCommit();
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(store.label(), "complete in the caller's transaction", e);
        }
        List<Boolean> out = store.onCallerConnection(c, "complete in the caller's transaction", db -> SqliteOutcomes.complete(db, completions, now()));
        if (ownTransaction) signal.wake();
        return out;
    }

    // ---- maintenance -------------------------------------------------------------------------------

    @Override
    public int jobsPromoteDue(int limit) {
        if (limit < 1) return 0;
        int n = store.write("promote", db -> {
            Instant now = now();
            SqliteSweeps.sweepScheduled(db, now);
            return SqliteSweeps.promote(db, null, limit, now);
        });
        if (n > 0) signal.wake();
        return n;
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        if (limit < 1) return RescueResult.NONE;
        RescueResult r = store.write("rescue", db -> SqliteSweeps.rescue(db, limit, now()));
        if (!r.requeued().isEmpty() || !r.failed().isEmpty() || !r.cancelled().isEmpty()) signal.wake(); // requeued, or released others
        return r;
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        int n = store.write("prune", db -> {
            Instant now = now();
            SqliteSweeps.sweepUnreachableQueues(db, now);
            return SqliteSweeps.prune(db, request, now);
        });
        signal.wake(); // a pruned job may have released others
        return n;
    }

    // ---- control -----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<CancelResult> out = store.write("cancel", db -> SqliteControl.cancel(db, ids, now()));
        if (out.contains(CancelResult.CANCELLED)) signal.wake(); // it ended: its awaits return, its dependents may be QUEUED
        return out;
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        int n = store.write("retry", db -> SqliteControl.retry(db, request, now()));
        if (n > 0) signal.wake();
        return n;
    }

    @Override
    public int jobsDelete(List<String> ids) {
        if (ids.isEmpty()) return 0;
        int n = store.write("delete", db -> SqliteControl.delete(db, ids, now()));
        if (n > 0) signal.wake(); // their dependents may be QUEUED now
        return n;
    }

    @Override
    public int queuePurge(String queue) {
        int n = store.write("purge " + queue, db -> SqliteControl.purge(db, queue, now()));
        if (n > 0) signal.wake();
        return n;
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        store.write(paused ? "pause " + queue : "resume " + queue, db -> {
            SqliteControl.pause(db, queue, paused);
            return null;
        });
        if (!paused) signal.wake();
    }

    // ---- queries -----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobGet(String id) {
        if (id == null) return Optional.empty();
        JobRow row = store.read("get job", db -> SqliteQueries.get(db, id));
        if (row == null) return Optional.empty();
        return Optional.of(row.corrupt() ? quarantine(List.of(row)).get(0) : row.job());
    }

    /** One query for all the ids; a row found corrupt is quarantined as {@link #jobGet} does. */
    @Override
    public List<Job> jobsGet(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<JobRow> rows = store.read("get jobs", db -> SqliteQueries.getAll(db, ids));
        List<JobRow> bad = rows.stream().filter(JobRow::corrupt).toList();
        var byId = new java.util.HashMap<String, Job>();
        for (JobRow r : rows) if (!r.corrupt()) byId.put(r.job().id(), r.job());
        if (!bad.isEmpty()) for (Job j : quarantine(bad)) byId.put(j.id(), j);
        var out = new ArrayList<Job>(ids.size());
        for (String id : ids) {
            Job j = id == null ? null : byId.get(id);
            if (j != null) out.add(j);
        }
        return out;
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        List<JobRow> rows = store.read("list jobs", db -> SqliteQueries.list(db, query));
        if (rows.stream().noneMatch(JobRow::corrupt)) return rows.stream().map(JobRow::job).toList();
        List<Job> fixed = quarantine(rows.stream().filter(JobRow::corrupt).toList());
        var byId = new java.util.HashMap<String, Job>();
        for (Job j : fixed) byId.put(j.id(), j);
        var out = new ArrayList<Job>(rows.size());
        for (JobRow r : rows) {
            Job j = r.corrupt() ? byId.get(r.job().id()) : r.job();
            // A quarantined job is FAILED now; a state filter that no longer matches drops it.
            if (j != null && (query.state() == null || query.state() == j.state())) out.add(j);
        }
        return out;
    }

    @Override
    public List<QueueInfo> queuesList() {
        SqliteQueries.Counts counts = store.read("list queues", SqliteQueries::counts);
        if (counts.badStates()) {
            List<JobRow> bad = store.read("list queues", SqliteQueries::badStateRows);
            quarantine(bad);
            counts = store.read("list queues", SqliteQueries::counts);
        }
        var out = new ArrayList<QueueInfo>();
        for (var e : counts.byQueue().entrySet()) {
            out.add(new QueueInfo(e.getKey(), counts.paused().contains(e.getKey()), e.getValue(), counts.oldest().get(e.getKey())));
        }
        return out;
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        return store.read("count queue " + queue, db -> SqliteQueries.queueCounts(db, queue));
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return store.read("read statistics", db -> SqliteQueries.stats(db, since, queue));
    }

    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        // Looks again on each of this process's commits (every end of a job wakes the signal) and on each
        // commit another process is seen to write to the WAL; the poll interval only bounds a missed hint.
        long deadline = System.nanoTime() + timeout.toNanos();
        long pollNanos = store.options().pollInterval().toNanos();
        startWatch();
        while (true) {
            long seen = signal.generation();
            Optional<Job> job = jobGet(id);
            if (job.isEmpty() || job.get().state().isTerminal()) return job;
            long left = deadline - System.nanoTime();
            if (left <= 0 || signal.isClosed()) return job;
            signal.awaitAfter(seen, Math.min(left, pollNanos));
        }
    }

    /** Moves bad rows to FAILED (each re-read inside the write, in case another process fixed it first). */
    private List<Job> quarantine(List<JobRow> rows) {
        return store.write("quarantine corrupt job", db -> {
            Instant now = now();
            var out = new ArrayList<Job>();
            for (JobRow seen : rows) {
                JobRow row = SqliteQueries.byRowid(db, seen.rowid());
                if (row == null) continue;
                out.add(row.corrupt() ? SqliteQuarantine.apply(db, row, now) : row.job());
            }
            return out;
        });
    }

    // ---- worker registry ---------------------------------------------------------------------------

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        java.util.Objects.requireNonNull(info.id(), "worker id");
        store.write("worker heartbeat", db -> {
            Instant now = now();
            String report = SqliteRegistry.report(info, now);
            SqliteRegistry.heartbeat(db, info.id(), report, now);
            return null;
        });
    }

    @Override
    public List<WorkerInfo> workersList() {
        return store.read("list workers", SqliteRegistry::workers);
    }

    @Override
    public void workerRemove(String workerId) {
        store.write("remove worker", db -> {
            SqliteRegistry.removeWorker(db, workerId);
            return null;
        });
    }

    // ---- small shared state ------------------------------------------------------------------------

    @Override
    public Optional<String> kvGet(String key) {
        return store.read("kv get", db -> SqliteRegistry.kvGet(db, key));
    }

    @Override
    public void kvPut(String key, String value) {
        java.util.Objects.requireNonNull(key, "key");
        java.util.Objects.requireNonNull(value, "value");
        store.write("kv put", db -> {
            SqliteRegistry.kvPut(db, key, value);
            return null;
        });
    }

    @Override
    public void kvDelete(String key) {
        store.write("kv delete", db -> {
            SqliteRegistry.kvDelete(db, key);
            return null;
        });
    }

    @Override
    public boolean kvCompareAndSet(String key, String expected, String value) {
        java.util.Objects.requireNonNull(key, "key");
        return store.write("kv compare-and-set", db -> SqliteRegistry.kvCompareAndSet(db, key, expected, value));
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return store.read("kv list", db -> SqliteRegistry.kvList(db, prefix));
    }

    @Override
    public boolean lockTry(String name, String owner, Duration ttl) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(owner, "owner");
        java.util.Objects.requireNonNull(ttl, "ttl");
        return store.write("lock " + name, db -> SqliteRegistry.lockTry(db, name, owner, ttl, now()));
    }

    @Override
    public void lockRelease(String name, String owner) {
        store.write("unlock " + name, db -> {
            SqliteRegistry.lockRelease(db, name, owner);
            return null;
        });
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        signal.close();
        WalWatch w = watch;
        if (w != null) w.close();
        store.close();
    }
}
