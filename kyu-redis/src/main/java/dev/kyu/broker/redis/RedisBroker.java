package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Job;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.job.Lease;
import dev.kyu.job.UniqueScope;
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
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker for {@code redis://} and {@code rediss://} URLs. Every state change is one Lua script over
 * one queue's keys (see {@code docs/brokers/redis.md} for the layout), judged by the server's clock.
 * This class owns the producing, working, maintenance and control verbs; queries live in
 * {@link RedisQueries}, the worker registry, key-value store and locks in {@link RedisRegistry}.
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    /** Longest single blocking pop; the fetch loop re-checks due times and shutdown between pops. */
    private static final long MAX_POP_MS = 5_000;
    /** Bound on the cache of jobs this process leased (id → queue); it only saves a lookup. */
    private static final int LEASED_CACHE = 100_000;

    private final RedisSettings settings;
    private final RedisLink link;
    private final java.util.concurrent.atomic.AtomicBoolean durabilityChecked = new java.util.concurrent.atomic.AtomicBoolean();
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final ScriptRunner runner;
    private final RedisQueries queries;
    private final RedisRegistry registry;
    private final ClusterUniqueKeys clusterUniqueKeys;
    private final LinkRelay relay;
    private final PendingEnqueues pending;
    private final Map<String, String> leased = new ConcurrentHashMap<>();
    private final SkippedQueues skipped = new SkippedQueues();
    private final AtomicInteger rotation = new AtomicInteger();
    private final RedisAwaitedJobs awaited = new RedisAwaitedJobs();
    private volatile boolean closed;

    private RedisBroker(RedisSettings settings, RedisLink link) {
        this.settings = settings;
        this.link = link;
        this.keys = new Keys(settings.prefix());
        this.scripts = new Scripts(link, settings.prefix());
        this.faults = new Faults(settings);
        this.runner = new ScriptRunner(link, scripts, keys, faults, settings.timeout());
        this.queries = new RedisQueries(link, keys, scripts, faults, runner, settings);
        this.registry = new RedisRegistry(link, keys, scripts, faults, settings, this::now);
        this.clusterUniqueKeys = new ClusterUniqueKeys(keys, scripts);
        this.relay = new LinkRelay(link, keys, runner, faults, settings.outage(), this::queuesOf);
        this.pending = new PendingEnqueues(link, keys, scripts, runner, faults, clusterUniqueKeys, settings.outage());
    }

    /**
     * Warns, once per broker, when the server could lose acknowledged writes: at the first enqueue or fetch,
     * where it matters, so a command that only reads (kyu inspect, kyu job) prints nothing but its answer.
     */
    private void checkDurabilityOnce() {
        if (!durabilityChecked.get() && durabilityChecked.compareAndSet(false, true)) DurabilityCheck.warnIfUnsafe(link, settings);
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

    // ---- identity ---------------------------------------------------------------------------------

    @Override
    public String describe() {
        return settings.redacted();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.SHARED_ACROSS_PROCESSES, Capability.JOB_LINKS);
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
        if (request.connection() != null) {
            throw new KyuException.InvalidInput("the Redis broker cannot enqueue inside a JDBC transaction: pass no connection");
        }
        if (request.jobs().isEmpty()) return List.of();
        if (request.jobs().size() == 1 && request.jobs().get(0).uniqueKey() == null && request.jobs().get(0).links().isNone()
                && !link.cluster()) {
            return List.of(enqueueOne(request.jobs().get(0)));
        }
        var queueOf = new ArrayList<String>();
        var items = new ArrayList<List<String>>();
        var index = new HashMap<String, String>();
        for (NewJob j : request.jobs()) {
            Names.checkQueue(j.queue());
            Names.checkId(j.id());
            Names.checkTask(j.task());
            if (index.containsKey(j.id())) {
                throw new KyuException.InvalidInput("job id " + j.id() + " appears twice in one batch; nothing was stored");
            }
            queueOf.add(j.queue());
            items.add(enqueueArgs(j));
            index.put(j.id(), j.queue());
        }
        Set<String> queues = new LinkedHashSet<>(queueOf);
        ClusterUniqueKeys.Result uniques = new ClusterUniqueKeys.Result(Map.of(), List.of());
        if (link.cluster() && request.jobs().stream().anyMatch(j -> j.uniqueKey() != null)) {
            uniques = faults.ride("claim unique keys", Duration.ZERO, () -> clusterUniqueKeys.claim(request.jobs()));
        }
        if (link.cluster()) {
            // On a Cluster the id index and the set of queue names are written after the script, in other
            // slots: checked first, so that a job is not stored and then reported failed.
            faults.ride("enqueue", Duration.ZERO, () -> {
                for (String[] k : List.of(new String[] {keys.jobQueue(), "hash"}, new String[] {keys.queues(), "set"})) {
                    String held = link.type(k[0]);
                    if (!held.equals("none") && !held.equals(k[1])) {
                        throw new io.lettuce.core.RedisException(Faults.BADKEY + KeyTypes.reason(k[0], held, k[1]));
                    }
                }
                return null;
            });
        }
        var storeAt = new ArrayList<Integer>();
        for (int i = 0; i < items.size(); i++) if (!uniques.duplicates().containsKey(i)) storeAt.add(i);
        List<Object> answers = List.of();
        if (!storeAt.isEmpty()) {
            try {
                // Enqueue is not repeated through an outage: the caller learns at once and decides.
                // On a single server the script adds the queues to the set of queue names itself; a Cluster
                // keeps that set in another slot, so it is sent alongside.
                // A lone job without a unique key needs none of the batch script's machinery.
                NewJob lone = storeAt.size() == 1 ? request.jobs().get(storeAt.get(0)) : null;
                Script script = lone != null && lone.uniqueKey() == null && lone.links().isNone() ? Script.ENQUEUE1 : Script.ENQUEUE;
                if (link.cluster() && storeAt.stream().map(queueOf::get).distinct().count() > 1) {
                    // One script per queue's slot: stored all or nothing in effect through a batch record.
                    faults.ride("enqueue", Duration.ZERO, () -> link.sync().sadd(keys.queues(), queues.toArray(String[]::new)));
                    PendingEnqueues.Stored stored = pending.store(storeAt.stream().map(items::get).toList());
                    answers = stored.answers();
                    if (!stored.whole()) uniques = new ClusterUniqueKeys.Result(uniques.duplicates(), List.of());
                } else answers = runner.perItem("enqueue", Duration.ZERO, script, List.of(),
                        storeAt.stream().map(queueOf::get).toList(), storeAt.stream().map(items::get).toList(), !link.cluster() ? null : () -> List.of(
                        link.async().sadd(keys.queues(), queues.toArray(String[]::new)).toCompletableFuture()));
            } catch (RuntimeException e) {
                clusterUniqueKeys.release(uniques.claims());
                throw e;
            }
        }
        var out = new ArrayList<EnqueueResult>();
        var created = new HashMap<String, String>();
        for (int i = 0, next = 0; i < items.size(); i++) {
            String holder = uniques.duplicates().get(i);
            if (holder != null) {
                out.add(new EnqueueResult(holder, false));
                continue;
            }
            var r = enqueued(request.jobs().get(i).id(), answers.get(next++));
            if (r.created()) created.put(r.id(), index.get(r.id()));
            out.add(r);
        }
        // On a Cluster the id index lives in another slot than the queue, so it is written right after.
        if (link.cluster() && !created.isEmpty()) {
            faults.ride("index jobs", settings.outage(), () -> KeyTypes.expect(link, keys.jobQueue(), "hash",
                    () -> link.sync().hset(keys.jobQueue(), created)));
        }
        if (!uniques.claims().isEmpty()) {
            var claims = uniques.claims();
            faults.ride("confirm unique keys", settings.outage(), () -> { clusterUniqueKeys.confirm(claims); return null; });
        }
        return out;
    }

    /** Writes the id index of jobs a pending batch record stored (a Cluster keeps it in another slot). */
    private void indexApplied(Map<String, String> applied) {
        if (applied.isEmpty()) return;
        try {
            faults.ride("index jobs", settings.outage(), () -> KeyTypes.expect(link, keys.jobQueue(), "hash",
                    () -> link.sync().hset(keys.jobQueue(), applied)));
        } catch (RuntimeException e) {
            LOG.warn("indexing the jobs of applied batches failed; they are found by queue: {}", Faults.oneLine(e));
        }
    }

    /** The Cluster's store of batches over several queues; package-private for the tests' crash seam. */
    PendingEnqueues pendingEnqueues() {
        return pending;
    }

    /**
     * The single-call enqueue on a single server: one job without a unique key is one EVALSHA of the lean
     * script, awaited directly, with none of the batch bookkeeping around it.
     */
    private EnqueueResult enqueueOne(NewJob j) {
        Names.checkQueue(j.queue());
        Names.checkId(j.id());
        Names.checkTask(j.task());
        var args = new ArrayList<String>(16);
        args.add("1");
        // The lean script reads no links (a job with links goes the batch way).
        args.addAll(enqueueArgs(j).subList(0, 15));
        // Not repeated through an outage: the caller learns at once and decides (as for a batch).
        List<Object> answers = faults.ride("enqueue", Duration.ZERO, () -> scripts.runDirect(Script.ENQUEUE1, keys.route(j.queue()), args));
        return enqueued(j.id(), answers.get(0));
    }

    /** A job's answer from the enqueue scripts: 1 when stored, else the id of the job holding its unique key. */
    private static EnqueueResult enqueued(String id, Object answer) {
        return answer instanceof Number ? new EnqueueResult(id, true) : new EnqueueResult(String.valueOf(answer), false);
    }

    private static List<String> enqueueArgs(NewJob j) {
        boolean unique = j.uniqueKey() != null;
        JobLinks links = j.links();
        for (String d : links.dependents()) Names.checkId(d);
        if (links.retainWith() != null) Names.checkId(links.retainWith());
        return List.of(j.id(), j.task(), j.queue(), j.args(), Integer.toString(j.priority()), Integer.toString(j.maxAttempts()),
                j.runAt() == null ? "" : Long.toString(j.runAt().toEpochMilli()),
                j.delay() == null ? "" : Long.toString(Math.max(0, j.delay().toMillis())),
                unique ? j.uniqueKey() : "", unique ? j.uniqueScope().name() : "",
                unique && j.uniqueScope() == UniqueScope.PERIOD ? Long.toString(j.uniquePeriod().toMillis()) : "",
                j.timeout() == null ? "" : Long.toString(j.timeout().toMillis()),
                j.backoff() == null ? "" : j.backoff(),
                RedisJobCodec.encodeMeta(j.meta()),
                j.resultTtl() == null ? "" : Long.toString(j.resultTtl().toMillis()),
                links.waitsFor() > 0 ? Integer.toString(links.waitsFor()) : "",
                links.dependents().isEmpty() ? "" : RedisJobCodec.encodeIds(links.dependents()),
                links.retainWith() == null ? "" : links.retainWith());
    }

    // ---- working ----------------------------------------------------------------------------------

    /** One pass of the fetch script: its time, the next due time (or -1), the leased jobs and the queues it skipped. */
    private record Round(long now, long nextDue, List<Job> jobs, Map<String, String> skipped) {}

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        checkDurabilityOnce();
        for (String q : request.queues()) Names.checkQueue(q);
        long deadline = System.nanoTime() + request.maxWait().toNanos();
        long popMs = -1;
        // Set when a fetch behind the pop came back early with nothing: the next wait is a plain pop, so that
        // a pop that fails at once is reported rather than repeated.
        boolean early = false;
        // Queues whose wake key holds another type: left out of the blocking pop (which would fail for all).
        var noWake = new HashSet<String>();
        Map<String, String> lastSkipped = Map.of();
        while (true) {
            if (closed) return List.of();
            Round round;
            try {
                Duration budget = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (popMs < 0) {
                    round = faults.ride("fetch", budget, () -> fetchOnce(request, (route, args) -> scripts.run(Script.FETCH, route, args)));
                } else {
                    long start = System.nanoTime();
                    round = fetchBehindPop(request, popMs, wakeable(request.queues(), noWake, lastSkipped));
                    if (round == null) {
                        if (closed || Thread.currentThread().isInterrupted()) return List.of();
                        // The connection dropped while blocked: let it come back, then fetch the usual way,
                        // which rides out an outage for the time left.
                        popMs = -1;
                        Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
                        continue;
                    }
                    early = round.jobs().isEmpty() && System.nanoTime() - start < popMs * 1_000_000 / 2;
                }
            } catch (KyuException e) {
                // An interrupt that lands while the fetch script's reply is awaited (also behind the blocking
                // pop, whose connection is then dropped with the script still queued) ends the fetch the
                // same way: empty, the interrupt kept. Had the script leased jobs, their leases run out and
                // they are rescued.
                if (closed || Thread.currentThread().isInterrupted()) return List.of();
                throw e;
            }
            if (!round.jobs().isEmpty()) return round.jobs();
            lastSkipped = round.skipped();
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0 || Thread.currentThread().isInterrupted()) return List.of();
            long waitMs = leftMs;
            if (round.nextDue() >= 0) waitMs = Math.max(1, Math.min(waitMs, round.nextDue() - round.now()));
            waitMs = Math.min(waitMs, Math.min(MAX_POP_MS, settings.timeout().toMillis() / 2));
            if (!link.cluster() && !early) {
                popMs = waitMs;
                continue;
            }
            popMs = -1;
            early = false;
            try {
                List<String> wakeable = wakeable(request.queues(), noWake, lastSkipped);
                if (wakeable.isEmpty()) {
                    // Every queue left is paused or skipped: nothing can wake this wait but its end.
                    Thread.sleep(waitMs);
                } else {
                    awaitWork(wakeable, waitMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } catch (RuntimeException e) {
                if (closed) return List.of();
                if (String.valueOf(e.getMessage()).contains("WRONGTYPE") && skipBadWakeKeys(request.queues(), noWake)) continue;
                if (!Faults.passing(e)) throw faults.translate("wait for work", e);
                // The connection dropped while blocked: let it come back before trying again.
                Thread.sleep(Math.min(100, Math.max(1, leftMs)));
            }
        }
    }

    /**
     * A single server: the fetch script waits on the server behind a blocking pop of the queues' wake keys
     * (at most {@code popMs}), so a wake-up token is answered by a lease at once, without a round trip to
     * this process (a worker's wake-up hops through threads that a busy machine may not run for
     * milliseconds). Null when the call failed in a way the caller rides out or ends on: the connection
     * dropped while blocked, the link closed or the caller was interrupted.
     */
    private Round fetchBehindPop(FetchRequest request, long popMs, List<String> wakeable) {
        if (wakeable.isEmpty()) return fetchOnce(request, (route, args) -> scripts.run(Script.FETCH, route, args));
        List<String> wakeKeys = wakeable.stream().map(keys::wake).toList();
        Duration wait = Duration.ofMillis(popMs);
        try {
            return fetchOnce(request, (route, args) -> scripts.runBehindPop(Script.FETCH, route, args, wakeKeys, wait));
        } catch (KyuException e) {
            throw e;
        } catch (RuntimeException e) {
            if (closed || Thread.currentThread().isInterrupted() || Faults.passing(e)) return null;
            throw faults.translate("fetch", e);
        }
    }

    /** How {@link #fetchOnce} sends the fetch script: straight away, or queued behind a blocking pop. */
    private interface FetchCall {
        List<Object> run(String routeKey, List<String> args);
    }

    private Round fetchOnce(FetchRequest r, FetchCall call) {
        long leaseMs = Math.max(1, r.leaseDuration().toMillis());
        String lease = Long.toString(leaseMs);
        var jobs = new ArrayList<Job>();
        var skippedHere = new java.util.LinkedHashMap<String, String>();
        long now = -1, nextDue = -1;
        List<List<String>> calls = link.cluster() ? r.queues().stream().map(List::of).toList() : List.of(r.queues());
        for (List<String> qs : calls) {
            int want = r.limit() - jobs.size();
            if (want <= 0) break;
            var args = new ArrayList<>(List.of(r.workerId(), Integer.toString(want), lease, Integer.toString(qs.size())));
            args.addAll(qs);
            List<Object> out = call.run(keys.route(qs.get(0)), args);
            if (now < 0) now = ((Number) out.get(0)).longValue();
            long nd = ((Number) out.get(1)).longValue();
            if (nd >= 0 && (nextDue < 0 || nd < nextDue)) nextDue = nd;
            skippedHere.putAll(skipped.report("fetch", (List<?>) out.get(4)));
            List<?> got = (List<?>) out.get(2);
            for (int i = 0; i + 3 < got.size(); i += 4) {
                String q = String.valueOf(got.get(i)), id = String.valueOf(got.get(i + 1));
                List<?> values = (List<?>) got.get(i + 2);
                try {
                    jobs.add(RedisJobCodec.decodeLeased(values, got.get(i + 3), q, id, r.workerId(), ((Number) out.get(0)).longValue(),
                            String.valueOf(out.get(3)), leaseMs));
                    remember(id, q);
                } catch (RuntimeException bad) {
                    bury(q, id, r.workerId(), values, bad.getMessage());
                }
            }
        }
        if (!skippedHere.isEmpty() && skippedHere.keySet().containsAll(r.queues())) {
            // Every queue is skipped: the call fails (nothing was written), so the caller hears of it.
            throw new io.lettuce.core.RedisException(Faults.BADKEY + skippedHere.values().iterator().next());
        }
        return new Round(now, nextDue, jobs, skippedHere);
    }

    /** The queues whose wake keys a blocking pop may name: all but those known to be unusable. */
    private static List<String> wakeable(List<String> queues, Set<String> noWake, Map<String, String> skipped) {
        if (noWake.isEmpty() && skipped.isEmpty()) return queues;
        return queues.stream().filter(q -> !noWake.contains(q) && !skipped.containsKey(q)).toList();
    }

    /**
     * After a blocking pop failed on a key of another type: finds the queues whose wake key holds another
     * type, reports them and adds them to {@code noWake}. False when there is none, or none is left: the
     * failure is then the caller's to report.
     */
    private boolean skipBadWakeKeys(List<String> queues, Set<String> noWake) {
        var flat = new ArrayList<String>();
        for (String q : queues) {
            String key = keys.wake(q);
            String held = faults.ride("wait for work", Duration.ZERO, () -> link.type(key));
            if (!held.equals("none") && !held.equals("list")) {
                flat.add(q);
                flat.add(KeyTypes.reason(key, held, "list"));
            }
        }
        if (flat.isEmpty()) return false;
        var bad = skipped.report("fetch", flat);
        noWake.addAll(bad.keySet());
        if (noWake.containsAll(queues)) {
            throw faults.translate("wait for work", new io.lettuce.core.RedisException(Faults.BADKEY + bad.values().iterator().next()));
        }
        return true;
    }

    /** A leased job the codec could not read: set aside in FAILED with the reason, raw fields kept. */
    private void bury(String q, String id, String workerId, List<?> values, String why) {
        // The values are as before the lease, so the lease's attempt is one more.
        String attempt = "";
        Object stored = values.get(RedisJobCodec.LEASED_FIELDS.indexOf("attempt"));
        try {
            attempt = Long.toString(Long.parseLong(String.valueOf(stored)) + 1);
        } catch (NumberFormatException e) {
            // the fence then fails, and the lease runs out into the rescue path
        }
        LOG.warn("job {} in queue {} cannot be decoded ({}); moved to FAILED", id, q, why);
        scripts.run(Script.BURY, keys.route(q), List.of(q, id, workerId, attempt, "cannot decode stored job: " + why));
    }

    private void awaitWork(List<String> queues, long waitMs) throws InterruptedException {
        List<String> wakeKeys;
        if (link.cluster() && queues.size() > 1) {
            // A blocking pop may only name keys of one slot: take turns, in short slices.
            wakeKeys = List.of(keys.wake(queues.get(Math.floorMod(rotation.getAndIncrement(), queues.size()))));
            waitMs = Math.min(waitMs, 250);
        } else {
            wakeKeys = queues.stream().map(keys::wake).toList();
        }
        link.blockingPop(wakeKeys, Duration.ofMillis(waitMs));
    }

    private void remember(String id, String queue) {
        if (leased.size() > LEASED_CACHE) leased.clear();
        leased.put(id, queue);
    }

    /** The queue of each job id: from this process's leases, else from the id index. Null when unknown. */
    List<String> queuesOf(List<String> ids) {
        var out = new ArrayList<String>(ids.size());
        var missing = new ArrayList<String>();
        for (String id : ids) {
            String q = leased.get(id);
            out.add(q);
            if (q == null) missing.add(id);
        }
        if (!missing.isEmpty()) {
            var found = new HashMap<String, String>();
            List<String> values = faults.ride("look up jobs", settings.outage(), () -> KeyTypes.expect(link, keys.jobQueue(), "hash",
                    () -> link.hmget(keys.jobQueue(), missing.toArray(String[]::new))));
            for (int i = 0; i < missing.size(); i++) if (values.get(i) != null) found.put(missing.get(i), values.get(i));
            for (int i = 0; i < ids.size(); i++) if (out.get(i) == null) out.set(i, found.get(ids.get(i)));
        }
        return out;
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        if (extension.leases().isEmpty()) return LeaseReport.EMPTY;
        List<Lease> leases = extension.leases();
        List<String> queues = queuesOf(leases.stream().map(Lease::jobId).toList());
        var lost = new HashSet<String>();
        var cancel = new HashSet<String>();
        var known = new ArrayList<Integer>();
        for (int i = 0; i < leases.size(); i++) {
            if (queues.get(i) == null) lost.add(leases.get(i).jobId());
            else known.add(i);
        }
        if (!known.isEmpty()) {
            List<Object> codes = runner.perItem("heartbeat", settings.outage(), Script.EXTEND,
                    List.of(Long.toString(Math.max(1, extension.leaseDuration().toMillis()))),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> {
                        Lease l = leases.get(i);
                        var progress = extension.progress().get(l.jobId());
                        return List.of(queues.get(i), l.jobId(), l.workerId(), Integer.toString(l.attempt()),
                                progress == null ? "" : Double.toString(progress.fraction()),
                                progress == null || progress.message() == null ? "" : progress.message());
                    }).toList(), null);
            for (int j = 0; j < known.size(); j++) {
                String id = leases.get(known.get(j)).jobId();
                long code = ((Number) codes.get(j)).longValue();
                if (code == 0) { lost.add(id); leased.remove(id); }
                else if (code == 2) cancel.add(id);
            }
        }
        return new LeaseReport(lost, cancel);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        if (completions.isEmpty()) return List.of();
        List<String> queues = queuesOf(completions.stream().map(c -> c.lease().jobId()).toList());
        var known = new ArrayList<Integer>();
        for (int i = 0; i < completions.size(); i++) if (queues.get(i) != null) known.add(i);
        Boolean[] out = new Boolean[completions.size()];
        java.util.Arrays.fill(out, Boolean.FALSE);
        if (!known.isEmpty()) {
            List<Object> applied = runner.perItem("complete", settings.outage(), Script.COMPLETE, List.of(),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> completionArgs(queues.get(i), completions.get(i))).toList(), null);
            var relayed = new ArrayList<String>();
            for (int j = 0; j < known.size(); j++) {
                long code = ((Number) applied.get(j)).longValue();
                out[known.get(j)] = code >= 1;
                if (code == 2) relayed.add(queues.get(known.get(j)));
            }
            // A Cluster: the releases these outcomes recorded are applied right away (LinkRelay).
            relay.drain(relayed);
        }
        for (Completion c : completions) leased.remove(c.lease().jobId());
        return List.of(out);
    }

    private static List<String> completionArgs(String queue, Completion c) {
        Lease l = c.lease();
        String kind, payload = "";
        long delay = 0;
        switch (c.outcome()) {
            case Outcome.Succeeded s -> { kind = "S"; payload = s.result() == null ? "null" : s.result(); }
            case Outcome.Retry r -> { kind = "R"; payload = RedisJobCodec.encode(r.error()); delay = r.delay().toMillis(); }
            case Outcome.Dead d -> { kind = "D"; payload = RedisJobCodec.encode(d.error()); }
            case Outcome.Cancelled x -> { kind = "C"; payload = RedisJobCodec.encode(x.reason()); }
            case Outcome.Released r -> { kind = "L"; delay = r.delay().toMillis(); }
        }
        return List.of(queue, l.jobId(), l.workerId(), Integer.toString(l.attempt()), kind, payload, Long.toString(Math.max(0, delay)));
    }

    // ---- maintenance ------------------------------------------------------------------------------

    List<String> knownQueues() {
        return faults.ride("list queues", settings.outage(), () -> new ArrayList<>(new java.util.TreeSet<>(
                KeyTypes.expect(link, keys.queues(), "set", () -> link.smembers(keys.queues())))));
    }

    /** Runs the unreachable-jobs sweep over the queues; a queue with a key of another type is skipped and reported. */
    private void sweepUnreachable(String what, String bound, List<String> queues) {
        if (queues.isEmpty()) return;
        List<List<Object>> answers = runner.perQueue(what, settings.outage(), Script.UNREACHABLE, List.of(bound), queues,
                (List<Object> a) -> ((Number) a.get(0)).intValue(), -1);
        for (List<Object> a : answers) skipped.report(what, (List<?>) a.get(1));
    }

    @Override
    public int jobsPromoteDue(int limit) {
        if (limit < 1) return 0;
        // Jobs due past the range of enqueue (a foreign writer's +inf) would wait for ever: quarantine them first.
        List<String> queues = knownQueues();
        // A Cluster: batches over several queues left part-stored by a crash are stored whole, and releases of
        // dependents left by a crash between a job's end and its relay are applied again.
        indexApplied(pending.drain(queues));
        relay.drain(queues);
        sweepUnreachable("sweep unreachable jobs", Long.toString(JobOptions.LATEST.toEpochMilli()), queues);
        List<List<Object>> answers = runner.perQueue("promote", settings.outage(), Script.PROMOTE, List.of(Integer.toString(limit)),
                queues, (List<Object> a) -> ((Number) a.get(0)).intValue(), 0);
        int moved = 0;
        for (List<Object> a : answers) {
            moved += ((Number) a.get(0)).intValue();
            skipped.report("promotion", (List<?>) a.get(1));
        }
        return moved;
    }

    @Override
    @SuppressWarnings("unchecked")
    public RescueResult leasesRescueExpired(int limit) {
        if (limit < 1) return RescueResult.NONE;
        List<List<Object>> answers = runner.perQueue("rescue", settings.outage(), Script.RESCUE, List.of(Integer.toString(limit)),
                knownQueues(), (List<Object> a) -> a.subList(0, 3).stream().mapToInt(l -> ((List<?>) l).size()).sum(), 0);
        var requeued = new ArrayList<String>();
        var failed = new ArrayList<String>();
        var cancelled = new ArrayList<String>();
        for (List<Object> a : answers) {
            ((List<Object>) a.get(0)).forEach(id -> requeued.add(String.valueOf(id)));
            ((List<Object>) a.get(1)).forEach(id -> failed.add(String.valueOf(id)));
            ((List<Object>) a.get(2)).forEach(id -> cancelled.add(String.valueOf(id)));
            skipped.report("rescue", (List<?>) a.get(3));
        }
        if (link.cluster() && (!failed.isEmpty() || !cancelled.isEmpty())) relay.drain(queuesOf(concat(failed, cancelled)).stream().filter(java.util.Objects::nonNull).toList());
        return new RescueResult(requeued, failed, cancelled);
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        // A null retention keeps that kind forever (-1 to the script); cancelled jobs follow the succeeded one.
        List<String> head = List.of(Integer.toString(Math.max(0, request.limit())),
                millis(request.succeededRetention()), millis(request.failedRetention()),
                millis(request.succeededRetention()), millis(request.statsRetention()));
        List<String> queues = knownQueues();
        // Queues whose names no worker can ask for would keep their jobs for ever: quarantine those jobs.
        sweepUnreachable("sweep unreachable queues", "queue", queues.stream().filter(q -> !Task.isValidName(q)).toList());
        List<List<Object>> answers = runner.perQueue("prune", settings.outage(), Script.PRUNE, head, queues,
                (List<Object> a) -> ((List<?>) a.get(0)).size(), 0);
        var ids = new ArrayList<String>();
        var pruned = new ArrayList<String>();
        var ask = new ArrayList<String[]>();
        for (int i = 0; i < answers.size(); i++) {
            List<Object> a = answers.get(i);
            ((List<?>) a.get(0)).forEach(id -> ids.add(String.valueOf(id)));
            if (!((List<?>) a.get(0)).isEmpty() && link.cluster()) pruned.add(queues.get(i));
            skipped.report("pruning", (List<?>) a.get(1));
            List<?> asked = a.size() > 2 ? (List<?>) a.get(2) : List.of();
            for (int j = 0; j + 1 < asked.size(); j += 2) ask.add(new String[] {queues.get(i), String.valueOf(asked.get(j)), String.valueOf(asked.get(j + 1))});
        }
        ids.addAll(pruneUnkept(ask, Math.max(0, request.limit()) - ids.size()));
        forgetIds(ids);
        relay.drain(pruned);
        if (request.workerRetention() != null) registry.pruneWorkers(request.workerRetention());
        return ids.size();
    }

    /**
     * A Cluster: the jobs past retention whose {@code retainWith} job lives in another slot, which the prune
     * script could not see ({queue, id, retainWith} each). Those whose job is gone are deleted, if they are
     * still ended; at most {@code room} of them.
     */
    private List<String> pruneUnkept(List<String[]> ask, int room) {
        if (ask.isEmpty() || room <= 0) return List.of();
        List<String> anchors = ask.stream().map(a -> a[2]).distinct().toList();
        List<String> anchorQueues = queuesOf(anchors);
        var gone = new HashSet<String>();
        faults.ride("prune", settings.outage(), () -> {
            var calls = new ArrayList<java.util.concurrent.CompletableFuture<Long>>();
            for (int i = 0; i < anchors.size(); i++) {
                String q = anchorQueues.get(i);
                calls.add(q == null ? java.util.concurrent.CompletableFuture.completedFuture(0L)
                        : link.async().exists(keys.job(q, anchors.get(i))).toCompletableFuture());
            }
            for (int i = 0; i < anchors.size(); i++) if (runner.await(calls.get(i)) == 0) gone.add(anchors.get(i));
            return null;
        });
        var doomed = ask.stream().filter(a -> gone.contains(a[2])).limit(room).toList();
        if (doomed.isEmpty()) return List.of();
        List<Object> answers = runner.perItem("prune", settings.outage(), Script.DELETE, List.of("ended"),
                doomed.stream().map(a -> a[0]).toList(), doomed.stream().map(a -> List.of(a[0], a[1])).toList(), null);
        var out = new ArrayList<String>();
        for (int i = 0; i < doomed.size(); i++) if (((Number) answers.get(i)).longValue() == 1) out.add(doomed.get(i)[1]);
        relay.drain(doomed.stream().map(a -> a[0]).toList());
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<String>(a);
        out.addAll(b);
        return out;
    }

    private static String millis(Duration d) {
        return d == null ? "-1" : Long.toString(Math.max(0, d.toMillis()));
    }

    private void forgetIds(List<String> ids) {
        if (ids.isEmpty()) return;
        faults.ride("forget deleted jobs", settings.outage(), () -> {
            for (int i = 0; i < ids.size(); i += 1000) {
                String[] part = ids.subList(i, Math.min(ids.size(), i + 1000)).toArray(String[]::new);
                KeyTypes.expect(link, keys.jobQueue(), "hash", () -> link.hdel(keys.jobQueue(), part));
            }
            return null;
        });
        ids.forEach(leased::remove);
    }

    // ---- control ----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<String> queues = queuesOf(ids);
        CancelResult[] out = new CancelResult[ids.size()];
        java.util.Arrays.fill(out, CancelResult.NOT_FOUND);
        var known = new ArrayList<Integer>();
        for (int i = 0; i < ids.size(); i++) if (queues.get(i) != null) known.add(i);
        if (!known.isEmpty()) {
            List<Object> codes = runner.perItem("cancel", settings.outage(), Script.CANCEL, List.of(),
                    known.stream().map(queues::get).toList(),
                    known.stream().map(i -> List.of(queues.get(i), ids.get(i))).toList(), null);
            for (int j = 0; j < known.size(); j++) {
                out[known.get(j)] = switch (((Number) codes.get(j)).intValue()) {
                    case 1 -> CancelResult.CANCELLED;
                    case 2 -> CancelResult.CANCEL_REQUESTED;
                    case 3 -> CancelResult.ALREADY_FINISHED;
                    default -> CancelResult.NOT_FOUND;
                };
            }
            relay.drain(known.stream().filter(i -> out[i] == CancelResult.CANCELLED).map(queues::get).toList());
        }
        return List.of(out);
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        if (request.ids().isEmpty()) {
            List<String> queues = request.queue() == null ? knownQueues() : List.of(request.queue());
            if (request.queue() != null) Names.checkQueue(request.queue());
            List<Long> counts = runner.perQueue("retry", settings.outage(), Script.RETRY, List.of("failed"), queues, null, -1);
            return counts.stream().mapToInt(Long::intValue).sum();
        }
        List<String> ids = request.ids();
        List<String> queues = queuesOf(ids);
        var byQueue = new java.util.LinkedHashMap<String, List<String>>();
        for (int i = 0; i < ids.size(); i++) {
            if (queues.get(i) == null) continue;
            String group = link.cluster() ? queues.get(i) : "";
            var args = byQueue.computeIfAbsent(group, g -> new ArrayList<>());
            args.add(queues.get(i));
            args.add(ids.get(i));
        }
        int total = 0;
        for (var e : byQueue.entrySet()) {
            var args = new ArrayList<String>(List.of("ids", Integer.toString(e.getValue().size() / 2)));
            args.addAll(e.getValue());
            Long n = faults.ride("retry", settings.outage(), () -> scripts.run(Script.RETRY, keys.route(e.getValue().get(0)), args));
            total += n.intValue();
        }
        return total;
    }

    @Override
    public int jobsDelete(List<String> ids) {
        if (ids.isEmpty()) return 0;
        List<String> queues = queuesOf(ids);
        var known = new ArrayList<Integer>();
        for (int i = 0; i < ids.size(); i++) if (queues.get(i) != null) known.add(i);
        if (known.isEmpty()) return 0;
        List<Object> gone = runner.perItem("delete", settings.outage(), Script.DELETE, List.of("any"),
                known.stream().map(queues::get).toList(),
                known.stream().map(i -> List.of(queues.get(i), ids.get(i))).toList(), null);
        var deleted = new ArrayList<String>();
        var from = new ArrayList<String>();
        for (int j = 0; j < known.size(); j++) {
            if (((Number) gone.get(j)).longValue() == 1) {
                deleted.add(ids.get(known.get(j)));
                from.add(queues.get(known.get(j)));
            }
        }
        forgetIds(deleted);
        relay.drain(from);
        return deleted.size();
    }

    @Override
    public int queuePurge(String queue) {
        Names.checkQueue(queue);
        List<Object> ids = faults.ride("purge", settings.outage(), () -> scripts.run(Script.PURGE, keys.route(queue), List.of(queue)));
        forgetIds(ids.stream().map(String::valueOf).toList());
        relay.drain(List.of(queue));
        return ids.size();
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        Names.checkQueue(queue);
        faults.ride(paused ? "pause" : "resume", settings.outage(), () -> {
            // On a single server the script adds the queue to the set of queue names; a Cluster keeps that set
            // in another slot, so it is added first (a name in it costs nothing if the script then fails).
            if (link.cluster()) KeyTypes.expect(link, keys.queues(), "set", () -> link.sync().sadd(keys.queues(), queue));
            return scripts.run(Script.PAUSE, keys.route(queue), List.of(queue, paused ? "1" : "0"));
        });
    }

    // ---- queries ----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobGet(String id) {
        return queries.jobGet(id);
    }

    /** How long an await subscribed to the ended channel waits before it re-reads anyway (a message lost in a reconnect). */
    private static final Duration SUBSCRIBED_POLL = Duration.ofSeconds(5);

    /**
     * Subscribes to the ended channel (once), marks the job awaited (await.lua), then re-reads it whenever
     * the end of a job awaited in this process is published. Only marked jobs publish their end, and the
     * scripts read the mark with the fields they read anyway, so a job nobody awaits costs no command. The
     * subscription is confirmed before the mark and the mark written before the read: a job that ends after
     * the mark is announced to a subscriber already listening, one that ended before it is seen ended.
     */
    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        if (id == null || id.isEmpty()) return Optional.empty();
        if (!link.subscribe(keys.ended(), awaited::ended)) return Broker.super.jobAwait(id, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        awaited.add(id);
        try {
            boolean marked = false;
            while (true) {
                long seen = awaited.signal().generation();
                Optional<Job> job = jobGet(id);
                if (job.isEmpty() || job.get().state().isTerminal()) return job;
                if (!marked) {
                    mark(job.get().queue(), id);
                    marked = true;
                    continue; // it may have ended between the read and the mark: read again
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) return job;
                awaited.signal().awaitAfter(seen, Math.min(left, SUBSCRIBED_POLL.toNanos()));
            }
        } finally {
            awaited.remove(id);
        }
    }

    private void mark(String queue, String id) {
        faults.ride("mark job " + id + " awaited", settings.outage(),
                () -> scripts.run(Script.AWAIT, keys.route(queue), List.of(queue, id)));
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return queries.jobsGet(ids, this::queuesOf);
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        return queries.jobsList(query, knownQueues());
    }

    @Override
    public List<QueueInfo> queuesList() {
        return queries.queuesList(knownQueues());
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        Names.checkQueue(queue);
        return queries.counts(List.of(queue), false).get(0).counts();
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return queries.statsHistory(since, queue == null ? knownQueues() : List.of(queue));
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
        java.util.Objects.requireNonNull(key, "key");
        return registry.kvCompareAndSet(key, expected, value);
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
