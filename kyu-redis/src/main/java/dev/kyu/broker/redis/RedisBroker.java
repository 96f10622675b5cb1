package dev.kyu.broker.redis;

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
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker for {@code redis://} and {@code rediss://} URLs. Every state change is one Lua script over
 * one queue's keys (see {@code docs/brokers/redis.md} for the layout), judged by the server's clock.
 * This class only wires the parts and delegates: producing ({@link RedisEnqueuer}), claiming, the blocking
 * fetch and promotion ({@link RedisClaims}), outcomes and lease extensions ({@link RedisOutcomes}), priority
 * aging ({@link RedisAging}), the sweeps ({@link RedisSweeps}), the hand-operated verbs ({@link RedisControl}), queries ({@link RedisQueries}),
 * awaiting an end ({@link RedisAwaitedJobs}), and the worker registry, key-value store and locks
 * ({@link RedisRegistry}).
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisSettings settings;
    private final RedisLink link;
    private final AtomicBoolean durabilityChecked = new AtomicBoolean();
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final RedisJobIndex index;
    private final RedisEnqueuer enqueuer;
    private final RedisClaims claims;
    private final RedisOutcomes outcomes;
    private final RedisAging aging;
    private final RedisSweeps sweeps;
    private final RedisControl control;
    private final RedisQueries queries;
    private final RedisAwaitedJobs awaited;
    private final RedisRegistry registry;
    private volatile boolean closed;

    private RedisBroker(RedisSettings settings, RedisLink link) {
        this.settings = settings;
        this.link = link;
        this.keys = new Keys(settings.prefix());
        this.scripts = new Scripts(link, settings.prefix());
        this.faults = new Faults(settings);
        Duration outage = settings.outage();
        var runner = new ScriptRunner(link, scripts, keys, faults, settings.timeout());
        // One set of reported queues for the fetch and the sweeps, so each reason is logged once per broker.
        var skipped = new SkippedQueues();
        this.index = new RedisJobIndex(link, keys, faults, outage);
        var quarantine = new RedisQuarantine(keys, scripts, runner, skipped, outage);
        var clusterUniqueKeys = new ClusterUniqueKeys(keys, scripts);
        var relay = new LinkRelay(link, keys, runner, faults, outage, index::queuesOf);
        var pending = new PendingEnqueues(link, keys, scripts, runner, faults, clusterUniqueKeys, outage);
        this.registry = new RedisRegistry(link, keys, scripts, faults, settings, this::now);
        this.queries = new RedisQueries(link, keys, scripts, faults, runner, settings);
        this.enqueuer =
                new RedisEnqueuer(link, keys, scripts, faults, runner, settings, index, clusterUniqueKeys, pending);
        this.claims = new RedisClaims(
                link,
                keys,
                scripts,
                faults,
                runner,
                settings,
                index,
                quarantine,
                skipped,
                pending,
                relay,
                () -> closed);
        this.outcomes = new RedisOutcomes(runner, outage, relay);
        this.aging = new RedisAging(scripts, keys, faults, outage);
        this.sweeps = new RedisSweeps(link, keys, faults, runner, outage, index, quarantine, skipped, relay, registry);
        this.control = new RedisControl(link, keys, scripts, faults, runner, outage, index, relay);
        this.awaited = new RedisAwaitedJobs(link, keys, scripts, faults, outage, queries::jobGet, () -> closed);
    }

    /** Opens and checks the connection and credentials. */
    public static RedisBroker open(BrokerConfig config) {
        RedisSettings settings = RedisSettings.parse(config);
        RedisLink link = RedisLink.open(settings);
        try {
            link.ping();
            link.warmUp();
            var broker = new RedisBroker(settings, link);
            broker.scripts.preload();
            LOG.debug("opened Redis broker {} ({})", settings.redacted(), link.cluster() ? "cluster" : "single server");
            return broker;
        } catch (RuntimeException e) {
            link.close();
            throw new Faults(settings).translate("open", e);
        }
    }

    /**
     * Warns, once per broker, when the server could lose acknowledged writes: at the first enqueue or fetch,
     * where it matters, so a command that only reads (kyu inspect, kyu job) prints nothing but its answer.
     */
    private void checkDurabilityOnce() {
        if (!durabilityChecked.get() && durabilityChecked.compareAndSet(false, true))
            DurabilityCheck.warnIfUnsafe(link, settings);
    }

    // ---- identity ---------------------------------------------------------------------------------

    @Override
    public String describe() {
        return settings.redacted();
    }

    @Override
    public Set<Capability> capabilities() {
        // NATIVE_BLOCKING_FETCH: jobsFetch waits in a blocking pop on the queues' wake lists (RedisClaims), not
        // in the core's BlockingFetch; jobsClaim is the same fetch script without the wait.
        return EnumSet.of(Capability.SHARED_ACROSS_PROCESSES, Capability.JOB_LINKS, Capability.NATIVE_BLOCKING_FETCH);
    }

    @Override
    public Instant now() {
        return faults.ride("read the server time", settings.outage(), () -> {
            List<String> t = link.time();
            return Instant.ofEpochSecond(Long.parseLong(t.get(0)), Long.parseLong(t.get(1)) * 1000);
        });
    }

    boolean isCluster() {
        return link.cluster();
    }

    Keys keys() {
        return keys;
    }

    RedisLink link() {
        return link;
    }

    // ---- producing --------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        checkDurabilityOnce();
        return enqueuer.enqueue(request);
    }

    // ---- working ----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsClaim(ClaimRequest request) {
        checkDurabilityOnce();
        return claims.claim(request);
    }

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        checkDurabilityOnce();
        return claims.fetch(request);
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        return outcomes.extend(extension);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        return outcomes.complete(completions);
    }

    // ---- maintenance ------------------------------------------------------------------------------

    @Override
    public int jobsPromoteDue(int limit) {
        return claims.promoteDue(limit);
    }

    @Override
    public int jobsAge(String queue, Instant dueBefore, int ceiling, int limit) {
        return aging.age(queue, dueBefore, ceiling, limit);
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        return sweeps.rescueExpired(limit);
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        return sweeps.prune(request);
    }

    // ---- control ----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        return control.cancel(ids);
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        return control.retry(request);
    }

    @Override
    public int jobsDelete(List<String> ids) {
        return control.delete(ids);
    }

    @Override
    public int queuePurge(String queue) {
        return control.purge(queue);
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        control.pause(queue, paused);
    }

    // ---- queries ----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobGet(String id) {
        return queries.jobGet(id);
    }

    /** Waits on the ended channel when this link can subscribe, else polls as every broker may. */
    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        if (id == null || id.isEmpty()) return Optional.empty();
        if (!awaited.subscribe()) return Broker.super.jobAwait(id, timeout);
        return awaited.await(id, timeout);
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return queries.jobsGet(ids, index::queuesOf);
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        return queries.jobsList(query, index.knownQueues());
    }

    @Override
    public List<QueueInfo> queuesList() {
        return queries.queuesList(index.knownQueues());
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        Names.checkQueue(queue);
        return queries.counts(List.of(queue), false).get(0).counts();
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return queries.statsHistory(since, queue == null ? index.knownQueues() : List.of(queue));
    }

    // ---- worker registry, kv, locks ---------------------------------------------------------------

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
        Objects.requireNonNull(key, "key");
        return registry.kvCompareAndSet(key, expected, value);
    }

    @Override
    public dev.kyu.spi.RateTake.Taken kvTakeRate(dev.kyu.spi.RateTake take) {
        return registry.kvTakeRates(List.of(take)).get(0);
    }

    @Override
    public List<dev.kyu.spi.RateTake.Taken> kvTakeRates(List<dev.kyu.spi.RateTake> takes) {
        return takes.isEmpty() ? List.of() : registry.kvTakeRates(takes);
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

    // ---- lifecycle --------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        awaited.close();
        faults.close();
        link.close();
    }
}
