package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.JobLinks;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stores new jobs. A lone job without a unique key or links on a single server is one call of the lean
 * script; anything else is the batch script, per queue's slot on a Cluster, where a batch over several
 * queues goes through {@link PendingEnqueues} and unique keys through {@link ClusterUniqueKeys}. Enqueue is
 * never repeated through an outage: the caller learns at once and decides.
 */
final class RedisEnqueuer {
    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final ScriptRunner runner;
    private final RedisSettings settings;
    private final RedisJobIndex jobIndex;
    private final ClusterUniqueKeys clusterUniqueKeys;
    private final PendingEnqueues pending;

    RedisEnqueuer(
            RedisLink link,
            Keys keys,
            Scripts scripts,
            Faults faults,
            ScriptRunner runner,
            RedisSettings settings,
            RedisJobIndex jobIndex,
            ClusterUniqueKeys clusterUniqueKeys,
            PendingEnqueues pending) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.runner = runner;
        this.settings = settings;
        this.jobIndex = jobIndex;
        this.clusterUniqueKeys = clusterUniqueKeys;
        this.pending = pending;
    }

    List<EnqueueResult> enqueue(EnqueueRequest request) {
        if (request.connection() != null) {
            throw new KyuException.InvalidInput(
                    "the Redis broker cannot enqueue inside a JDBC transaction: pass no connection");
        }
        if (request.jobs().isEmpty()) return List.of();
        if (request.jobs().size() == 1
                && request.jobs().get(0).uniqueKey() == null
                && request.jobs().get(0).links().isNone()
                && !link.cluster()) {
            return List.of(enqueueOne(request.jobs().get(0)));
        }
        var queueOf = new ArrayList<String>();
        var items = new ArrayList<List<String>>();
        var queueById = new HashMap<String, String>();
        for (NewJob j : request.jobs()) {
            Names.checkQueue(j.queue());
            Names.checkId(j.id());
            Names.checkTask(j.task());
            if (queueById.containsKey(j.id())) {
                throw new KyuException.InvalidInput(
                        "job id " + j.id() + " appears twice in one batch; nothing was stored");
            }
            queueOf.add(j.queue());
            items.add(enqueueArgs(j));
            queueById.put(j.id(), j.queue());
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
                for (String[] k :
                        List.of(new String[] {keys.jobQueue(), "hash"}, new String[] {keys.queues(), "set"})) {
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
                Script script =
                        lone != null && lone.uniqueKey() == null && lone.links().isNone()
                                ? Script.ENQUEUE1
                                : Script.ENQUEUE;
                if (link.cluster()
                        && storeAt.stream().map(queueOf::get).distinct().count() > 1) {
                    // One script per queue's slot: stored all or nothing in effect through a batch record.
                    faults.ride(
                            "enqueue",
                            Duration.ZERO,
                            () -> link.sync().sadd(keys.queues(), queues.toArray(String[]::new)));
                    PendingEnqueues.Stored stored =
                            pending.store(storeAt.stream().map(items::get).toList());
                    answers = stored.answers();
                    if (!stored.whole()) uniques = new ClusterUniqueKeys.Result(uniques.duplicates(), List.of());
                } else
                    answers = runner.perItem(
                            "enqueue",
                            Duration.ZERO,
                            script,
                            List.of(),
                            storeAt.stream().map(queueOf::get).toList(),
                            storeAt.stream().map(items::get).toList(),
                            !link.cluster()
                                    ? null
                                    : () -> List.of(link.async()
                                            .sadd(keys.queues(), queues.toArray(String[]::new))
                                            .toCompletableFuture()));
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
            if (r.created()) created.put(r.id(), queueById.get(r.id()));
            out.add(r);
        }
        // On a Cluster the id index lives in another slot than the queue, so it is written right after.
        if (link.cluster() && !created.isEmpty()) {
            jobIndex.write(created);
        }
        if (!uniques.claims().isEmpty()) {
            var claims = uniques.claims();
            faults.ride("confirm unique keys", settings.outage(), () -> {
                clusterUniqueKeys.confirm(claims);
                return null;
            });
        }
        return out;
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
        List<Object> answers = faults.ride(
                "enqueue", Duration.ZERO, () -> scripts.runDirect(Script.ENQUEUE1, keys.route(j.queue()), args));
        return enqueued(j.id(), answers.get(0));
    }

    /** A job's answer from the enqueue scripts: 1 when stored, else the id of the job holding its unique key. */
    private static EnqueueResult enqueued(String id, Object answer) {
        return answer instanceof Number
                ? new EnqueueResult(id, true)
                : new EnqueueResult(String.valueOf(answer), false);
    }

    /** A job's enqueue fields, in the order the enqueue scripts and {@link PendingEnqueues}'s records read them. */
    static List<String> enqueueArgs(NewJob j) {
        boolean unique = j.uniqueKey() != null;
        JobLinks links = j.links();
        for (String d : links.dependents()) Names.checkId(d);
        if (links.retainWith() != null) Names.checkId(links.retainWith());
        return List.of(
                j.id(),
                j.task(),
                j.queue(),
                j.args(),
                Integer.toString(j.priority()),
                Integer.toString(j.maxAttempts()),
                j.runAt() == null ? "" : Long.toString(j.runAt().toEpochMilli()),
                j.delay() == null ? "" : Long.toString(Math.max(0, j.delay().toMillis())),
                unique ? j.uniqueKey() : "",
                unique ? j.uniqueScope().name() : "",
                unique && j.uniqueScope() == UniqueScope.PERIOD
                        ? Long.toString(j.uniquePeriod().toMillis())
                        : "",
                j.timeout() == null ? "" : Long.toString(j.timeout().toMillis()),
                j.backoff() == null ? "" : j.backoff(),
                RedisJobCodec.encodeMeta(j.meta()),
                j.resultTtl() == null ? "" : Long.toString(j.resultTtl().toMillis()),
                links.waitsFor() > 0 ? Integer.toString(links.waitsFor()) : "",
                links.dependents().isEmpty() ? "" : RedisJobCodec.encodeIds(links.dependents()),
                links.retainWith() == null ? "" : links.retainWith());
    }
}
