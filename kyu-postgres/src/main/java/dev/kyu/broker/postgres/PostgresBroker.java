package dev.kyu.broker.postgres;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
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
import dev.kyu.spi.RateTake;
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
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL engine: jobs live in one table of the configured schema; a claim leases in one
 * {@code UPDATE … FOR UPDATE SKIP LOCKED} statement per queue; waiting fetchers are woken by LISTEN/NOTIFY
 * (with a poll as fallback); time is the database's {@code now()}. Enqueue and completion may run inside the
 * caller's own transaction ({@link #jobsEnqueue} with {@link EnqueueRequest#connection()},
 * {@link #jobsComplete(List, Connection)}).
 *
 * <p>This class opens the pool and the schema and wires the parts; each verb is one part's:
 * {@link PgEnqueues} (producing), {@link PgClaims} (claiming and fetching), {@link PgOutcomes} (leases and completions),
 * {@link PgSweeps} (maintenance), {@link PgControl} (cancel, retry, delete, purge, pause), {@link PgQueries}
 * (reads) and {@link PgRegistry} (workers, keys, locks). Rows that cannot be read are {@link PgQuarantine}'s.
 */
public final class PostgresBroker implements Broker {
    private final PgSettings settings;
    private final PgPool pool;
    private final PgWakeups wakeups;
    private final PgEnqueues enqueues;
    final PgClaims claims; // package-private, with the two below and queries, for the plan test
    final PgCompletions completions;
    final PgSweeps sweeps;
    private final PgOutcomes outcomes;
    private final PgControl control;
    final PgQueries queries; // package-private for the plan test
    private final PgRegistry registry;

    PostgresBroker(PgSettings settings) {
        this.settings = settings;
        String s = settings.quotedSchema();
        // a channel name is an identifier: at most 63 bytes
        String channel = ("kyu_" + settings.schema())
                .substring(0, Math.min(63, 4 + settings.schema().length()));
        this.pool = PgPool.open(settings);
        try {
            Migrations.prepare(pool.dataSource(), settings);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.wakeups = new PgWakeups(settings, channel);
        var quarantine = new PgQuarantine(s, channel);
        this.enqueues = new PgEnqueues(s, channel, pool, wakeups.signal());
        this.completions = new PgCompletions(s, channel);
        this.sweeps = new PgSweeps(s, channel, settings, pool, wakeups.signal(), completions, quarantine);
        this.claims = new PgClaims(s, settings, pool, wakeups, sweeps, quarantine);
        this.outcomes = new PgOutcomes(s, pool, completions, wakeups.signal());
        this.control = new PgControl(s, channel, pool, wakeups.signal());
        this.queries = new PgQueries(s, pool, wakeups, quarantine);
        this.registry = new PgRegistry(s, pool);
    }

    // ---- identity ----------------------------------------------------------------------------------

    @Override
    public String describe() {
        return settings.redacted();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.TRANSACTIONAL_ENQUEUE,
                Capability.TRANSACTIONAL_COMPLETE,
                Capability.SHARED_ACROSS_PROCESSES,
                Capability.JOB_LINKS);
    }

    @Override
    public Instant now() {
        return queries.now();
    }

    /** The schema this broker works in. */
    public String schema() {
        return settings.schema();
    }

    // ---- producing and working ---------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        return enqueues.jobsEnqueue(request);
    }

    @Override
    public List<Job> jobsClaim(ClaimRequest r) {
        return claims.claim(r);
    }

    /** The core's blocking fetch over {@link #jobsClaim}, woken by NOTIFY while LISTEN is up. */
    @Override
    public List<Job> jobsFetch(FetchRequest r) throws InterruptedException {
        return claims.jobsFetch(r);
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension ext) {
        return outcomes.leasesExtend(ext);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        return outcomes.jobsComplete(completions);
    }

    /**
     * Outcomes in the caller's own transaction, fenced as any completion; the caller commits, and NOTIFY is
     * delivered then. A connection in auto-commit mode gets one transaction of its own for the batch.
     */
    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, Connection callers) {
        return outcomes.jobsComplete(completions, callers);
    }

    // ---- maintenance -------------------------------------------------------------------------------

    @Override
    public int jobsPromoteDue(int limit) {
        return sweeps.jobsPromoteDue(limit);
    }

    @Override
    public int jobsAge(String queue, java.time.Instant dueBefore, int ceiling, int limit) {
        return sweeps.jobsAge(queue, dueBefore, ceiling, limit);
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        return sweeps.leasesRescueExpired(limit);
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        return sweeps.jobsPrune(request);
    }

    // ---- control -----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        return control.jobsCancel(ids);
    }

    @Override
    public int jobsRetry(RetryRequest r) {
        return control.jobsRetry(r);
    }

    @Override
    public int jobsDelete(List<String> ids) {
        return control.jobsDelete(ids);
    }

    @Override
    public int queuePurge(String queue) {
        return control.queuePurge(queue);
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        control.queuePause(queue, paused);
    }

    // ---- queries -----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        return queries.jobAwait(id, timeout);
    }

    @Override
    public Optional<Job> jobGet(String id) {
        return queries.jobGet(id);
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return queries.jobsGet(ids);
    }

    @Override
    public List<Job> jobsList(JobQuery q) {
        return queries.jobsList(q);
    }

    @Override
    public List<QueueInfo> queuesList() {
        return queries.queuesList();
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        return queries.queueCounts(queue);
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return queries.statsHistory(since, queue);
    }

    // ---- workers and small shared state ------------------------------------------------------------

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        registry.workerHeartbeat(info);
    }

    @Override
    public List<WorkerInfo> workersList() {
        return registry.workersList();
    }

    @Override
    public void workerRemove(String workerId) {
        registry.workerRemove(workerId);
    }

    @Override
    public Optional<String> kvGet(String key) {
        return registry.kvGet(key);
    }

    @Override
    public void kvPut(String key, String value) {
        registry.kvPut(key, value);
    }

    @Override
    public void kvDelete(String key) {
        registry.kvDelete(key);
    }

    @Override
    public boolean kvCompareAndSet(String key, String expected, String value) {
        return registry.kvCompareAndSet(key, expected, value);
    }

    @Override
    public RateTake.Taken kvTakeRate(RateTake take) {
        return registry.kvTakeRate(take);
    }

    @Override
    public List<RateTake.Taken> kvTakeRates(List<RateTake> takes) {
        return registry.kvTakeRates(takes);
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return registry.kvList(prefix);
    }

    @Override
    public boolean lockTry(String name, String owner, Duration ttl) {
        return registry.lockTry(name, owner, ttl);
    }

    @Override
    public void lockRelease(String name, String owner) {
        registry.lockRelease(name, owner);
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    /** Wakes every blocked fetch and await (they return empty-handed), then closes LISTEN and the pool. */
    @Override
    public void close() {
        if (wakeups.closeOnce()) pool.close();
    }

    @Override
    public String toString() {
        return "PostgresBroker[" + settings.redacted() + ", schema " + settings.schema() + "]";
    }

    /** True while this broker's LISTEN connection is in place. */
    boolean listening() {
        return wakeups.listening();
    }

    /** For tests and tools: the pool this broker uses. */
    javax.sql.DataSource dataSource() {
        return pool.dataSource();
    }
}
