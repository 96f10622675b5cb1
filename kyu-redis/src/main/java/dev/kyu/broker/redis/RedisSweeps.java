package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RescueResult;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sweeps any process may run at any time: rescue expired leases and prune ended jobs past retention.
 * Each is one script per queue (all queues at once on a single server), so two processes sweeping at once
 * take turns on the server and the second finds nothing left to do.
 */
final class RedisSweeps {
    private final RedisLink link;
    private final Keys keys;
    private final Faults faults;
    private final ScriptRunner runner;
    private final Duration outage;
    private final RedisJobIndex index;
    private final RedisQuarantine quarantine;
    private final SkippedQueues skipped;
    private final LinkRelay relay;
    private final RedisRegistry registry;

    RedisSweeps(
            RedisLink link,
            Keys keys,
            Faults faults,
            ScriptRunner runner,
            Duration outage,
            RedisJobIndex index,
            RedisQuarantine quarantine,
            SkippedQueues skipped,
            LinkRelay relay,
            RedisRegistry registry) {
        this.link = link;
        this.keys = keys;
        this.faults = faults;
        this.runner = runner;
        this.outage = outage;
        this.index = index;
        this.quarantine = quarantine;
        this.skipped = skipped;
        this.relay = relay;
        this.registry = registry;
    }

    /** Requeues, fails or cancels up to {@code limit} jobs whose lease ran out, as their attempts and cancel requests say. */
    @SuppressWarnings("unchecked")
    RescueResult rescueExpired(int limit) {
        if (limit < 1) return RescueResult.NONE;
        List<String> queues = index.knownQueues();
        List<List<Object>> answers = runner.perQueue(
                "rescue",
                outage,
                Script.RESCUE,
                List.of(Integer.toString(limit)),
                queues,
                (List<Object> a) -> a.subList(0, 3).stream()
                        .mapToInt(l -> ((List<?>) l).size())
                        .sum(),
                0);
        var requeued = new ArrayList<String>();
        var failed = new ArrayList<String>();
        var cancelled = new ArrayList<String>();
        // A Cluster: the queues where a rescue ended a job, whose releases of dependents wait in their 'relay'.
        // perQueue answers one call per queue there, in the order of the queues, so answer i is queue i's.
        var ended = new ArrayList<String>();
        for (int i = 0; i < answers.size(); i++) {
            List<Object> a = answers.get(i);
            ((List<Object>) a.get(0)).forEach(id -> requeued.add(String.valueOf(id)));
            ((List<Object>) a.get(1)).forEach(id -> failed.add(String.valueOf(id)));
            ((List<Object>) a.get(2)).forEach(id -> cancelled.add(String.valueOf(id)));
            skipped.report("rescue", (List<?>) a.get(3));
            if (link.cluster() && (!((List<?>) a.get(1)).isEmpty() || !((List<?>) a.get(2)).isEmpty()))
                ended.add(queues.get(i));
        }
        relay.drain(ended);
        return new RescueResult(requeued, failed, cancelled);
    }

    /** Deletes ended jobs and statistics past their retention, and workers silent past theirs; answers how many jobs. */
    int prune(PruneRequest request) {
        // A null retention keeps that kind forever (-1 to the script); cancelled jobs follow the succeeded one.
        List<String> head = List.of(
                Integer.toString(Math.max(0, request.limit())),
                millis(request.succeededRetention()),
                millis(request.failedRetention()),
                millis(request.succeededRetention()),
                millis(request.statsRetention()));
        List<String> queues = index.knownQueues();
        // Queues whose names no worker can ask for would keep their jobs for ever: quarantine those jobs.
        quarantine.unreachable(
                "sweep unreachable queues",
                "queue",
                queues.stream().filter(q -> !Task.isValidName(q)).toList());
        List<List<Object>> answers = runner.perQueue(
                "prune", outage, Script.PRUNE, head, queues, (List<Object> a) -> ((List<?>) a.get(0)).size(), 0);
        var ids = new ArrayList<String>();
        var pruned = new ArrayList<String>();
        var ask = new ArrayList<String[]>();
        for (int i = 0; i < answers.size(); i++) {
            List<Object> a = answers.get(i);
            ((List<?>) a.get(0)).forEach(id -> ids.add(String.valueOf(id)));
            if (!((List<?>) a.get(0)).isEmpty() && link.cluster()) pruned.add(queues.get(i));
            skipped.report("pruning", (List<?>) a.get(1));
            List<?> asked = a.size() > 2 ? (List<?>) a.get(2) : List.of();
            for (int j = 0; j + 1 < asked.size(); j += 2)
                ask.add(new String[] {queues.get(i), String.valueOf(asked.get(j)), String.valueOf(asked.get(j + 1))});
        }
        ids.addAll(pruneUnkept(ask, Math.max(0, request.limit()) - ids.size()));
        index.forgetAll(ids);
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
        List<String> anchorQueues = index.queuesOf(anchors);
        var gone = new HashSet<String>();
        faults.ride("prune", outage, () -> {
            var calls = new ArrayList<CompletableFuture<Long>>();
            for (int i = 0; i < anchors.size(); i++) {
                String q = anchorQueues.get(i);
                calls.add(
                        q == null
                                ? CompletableFuture.completedFuture(0L)
                                : link.async()
                                        .exists(keys.job(q, anchors.get(i)))
                                        .toCompletableFuture());
            }
            for (int i = 0; i < anchors.size(); i++) if (runner.await(calls.get(i)) == 0) gone.add(anchors.get(i));
            return null;
        });
        var doomed = ask.stream().filter(a -> gone.contains(a[2])).limit(room).toList();
        if (doomed.isEmpty()) return List.of();
        List<Object> answers = runner.perItem(
                "prune",
                outage,
                Script.DELETE,
                List.of("ended"),
                doomed.stream().map(a -> a[0]).toList(),
                doomed.stream().map(a -> List.of(a[0], a[1])).toList(),
                null);
        var out = new ArrayList<String>();
        for (int i = 0; i < doomed.size(); i++)
            if (((Number) answers.get(i)).longValue() == 1) out.add(doomed.get(i)[1]);
        relay.drain(doomed.stream().map(a -> a[0]).toList());
        return out;
    }

    private static String millis(Duration d) {
        return d == null ? "-1" : Long.toString(Math.max(0, d.toMillis()));
    }
}
