package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ClaimRequest;
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
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code sqlite:PATH} engine: every verb of the broker SPI as one transaction on one SQLite file,
 * which several processes on one host may share. This class only routes each verb to its part and wakes
 * waiters after commits that may have given them something: the SQL lives in {@link SqliteEnqueues},
 * {@link SqliteClaims}, {@link SqliteOutcomes}, {@link SqliteSweeps}, {@link SqliteControl},
 * {@link SqliteQueries} and {@link SqliteRegistry}, the release of a job's dependents in {@link SqliteLinks},
 * corrupt rows in {@link SqliteQuarantine}; connections, transactions and retries in {@link SqliteStore},
 * the caller's own connection in {@link SqliteCallerTransactions}, blocking fetches and awaits in
 * {@link SqliteWaits}.
 *
 * <p>All times are the injected clock's, stored as epoch milliseconds. Every write that stamps a time
 * reads the clock inside its transaction, once the write lock is held ({@link SqliteStore#stamped}), so
 * stamps follow commit order.
 */
public final class SqliteBroker implements Broker {
    private static final Set<Capability> CAPABILITIES = EnumSet.of(
            Capability.INJECTABLE_CLOCK,
            Capability.SHARED_ACROSS_PROCESSES,
            Capability.TRANSACTIONAL_ENQUEUE,
            Capability.TRANSACTIONAL_COMPLETE,
            Capability.JOB_LINKS);

    private final String url;
    private final SqliteStore store;
    private final SqliteWaits waits;
    private final SqliteCallerTransactions callers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteBroker(String url, SqliteStore store) {
        this.url = url;
        this.store = store;
        this.waits = new SqliteWaits(store);
        this.callers = new SqliteCallerTransactions(store, url, waits::wake);
    }

    public static SqliteBroker open(BrokerConfig config) {
        SqliteOptions options = SqliteOptions.parse(config);
        return new SqliteBroker(config.redactedUrl(), SqliteStore.open(options, config.clock()));
    }

    /** The absolute path of the database file. */
    public String path() {
        return store.label();
    }

    /** A PRAGMA's value as the writer (or reader) connection sees it, to check the settings really in force. */
    String pragma(boolean writer, String name) {
        return store.pragma(writer, name);
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
        return store.now();
    }

    // ---- producing ---------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        if (request.jobs().isEmpty()) return List.of();
        Connection c = request.connection();
        if (c != null) {
            return callers.run(
                    c,
                    "a transactional enqueue",
                    "enqueue in the caller's transaction",
                    (db, now) -> SqliteEnqueues.enqueue(db, request.jobs(), now));
        }
        List<EnqueueResult> out =
                store.stamped("enqueue", (db, now) -> SqliteEnqueues.enqueue(db, request.jobs(), now));
        waits.wake();
        return out;
    }

    // ---- working -----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        return waits.fetch(request);
    }

    @Override
    public List<Job> jobsClaim(ClaimRequest request) {
        return waits.claim(request);
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        if (extension.leases().isEmpty()) return LeaseReport.EMPTY;
        return store.stamped("extend leases", (db, now) -> SqliteOutcomes.extend(db, extension, now));
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        List<Boolean> out = store.stamped("complete", (db, now) -> SqliteOutcomes.complete(db, completions, now));
        waits.wake(); // retries and hand-backs may have made work available at once
        return out;
    }

    /** Outcomes in the caller's transaction on the same file, fenced as any completion. */
    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, Connection c) {
        Objects.requireNonNull(c, "connection");
        if (completions.isEmpty()) {
            callers.checkSameFile(
                    c, "a transactional completion"); // a wrong connection is refused even with nothing to do
            return List.of();
        }
        return callers.run(
                c,
                "a transactional completion",
                "complete in the caller's transaction",
                (db, now) -> SqliteOutcomes.complete(db, completions, now));
    }

    // ---- maintenance -------------------------------------------------------------------------------

    @Override
    public int jobsAge(String queue, Instant dueBefore, int ceiling, int limit) {
        if (limit < 1) return 0;
        int n = store.stamped("age priorities", (db, now) -> SqliteSweeps.age(db, queue, dueBefore, ceiling, limit));
        if (n > 0) waits.wake();
        return n;
    }

    @Override
    public int jobsPromoteDue(int limit) {
        if (limit < 1) return 0;
        int n = store.stamped("promote", (db, now) -> SqliteSweeps.promoteDue(db, limit, now));
        if (n > 0) waits.wake();
        return n;
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        if (limit < 1) return RescueResult.NONE;
        RescueResult r = store.stamped("rescue", (db, now) -> SqliteSweeps.rescue(db, limit, now));
        // Requeued jobs can run; ended ones return their awaits and may have released others.
        if (!r.requeued().isEmpty() || !r.failed().isEmpty() || !r.cancelled().isEmpty()) waits.wake();
        return r;
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        int n = store.stamped("prune", (db, now) -> SqliteSweeps.pruneAll(db, request, now));
        waits.wake(); // a pruned job may have released others
        return n;
    }

    // ---- control -----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<CancelResult> out = store.stamped("cancel", (db, now) -> SqliteControl.cancel(db, ids, now));
        if (out.contains(CancelResult.CANCELLED))
            waits.wake(); // it ended: its awaits return, its dependents may be QUEUED
        return out;
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        int n = store.stamped("retry", (db, now) -> SqliteControl.retry(db, request, now));
        if (n > 0) waits.wake();
        return n;
    }

    @Override
    public int jobsDelete(List<String> ids) {
        if (ids.isEmpty()) return 0;
        int n = store.stamped("delete", (db, now) -> SqliteControl.delete(db, ids, now));
        if (n > 0) waits.wake(); // their dependents may be QUEUED now
        return n;
    }

    @Override
    public int queuePurge(String queue) {
        int n = store.stamped("purge " + queue, (db, now) -> SqliteControl.purge(db, queue, now));
        if (n > 0) waits.wake();
        return n;
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        store.write(paused ? "pause " + queue : "resume " + queue, db -> {
            SqliteControl.pause(db, queue, paused);
            return null;
        });
        if (!paused) waits.wake();
    }

    // ---- queries -----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobGet(String id) {
        return SqliteQueries.findJob(store, id);
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return SqliteQueries.findJobs(store, ids);
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        return SqliteQueries.listJobs(store, query);
    }

    @Override
    public List<QueueInfo> queuesList() {
        return SqliteQueries.listQueues(store);
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
        return waits.await(() -> jobGet(id), timeout);
    }

    // ---- worker registry ---------------------------------------------------------------------------

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        Objects.requireNonNull(info.id(), "worker id");
        store.stamped("worker heartbeat", (db, now) -> {
            SqliteRegistry.heartbeat(db, info, now);
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
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
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
        Objects.requireNonNull(key, "key");
        return store.write("kv compare-and-set", db -> SqliteRegistry.kvCompareAndSet(db, key, expected, value));
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return store.read("kv list", db -> SqliteRegistry.kvList(db, prefix));
    }

    @Override
    public boolean lockTry(String name, String owner, Duration ttl) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(ttl, "ttl");
        return store.stamped("lock " + name, (db, now) -> SqliteRegistry.lockTry(db, name, owner, ttl, now));
    }

    @Override
    public void lockRelease(String name, String owner) {
        store.write("unlock " + name, db -> {
            SqliteRegistry.lockRelease(db, name, owner);
            return null;
        });
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        waits.close();
        store.close();
    }
}
