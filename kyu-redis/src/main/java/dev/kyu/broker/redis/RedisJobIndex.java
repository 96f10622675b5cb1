package dev.kyu.broker.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where jobs live: the id index (id → queue, one hash) and the set of queue names. A job's keys are named by
 * its queue, so a verb given bare ids (read, cancel, retry by ids, delete; a Cluster's reads of several jobs,
 * its sweeps' relays of released dependents and its prune's retention anchors) asks here first. The verbs a
 * worker sends under a lease do not: a lease names its queue ({@link dev.kyu.job.Lease#queue()}), so completing
 * and extending go straight to the queue's keys (see {@link RedisOutcomes}).
 */
final class RedisJobIndex {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobIndex.class);

    private final RedisLink link;
    private final Keys keys;
    private final Faults faults;
    private final Duration outage;

    RedisJobIndex(RedisLink link, Keys keys, Faults faults, Duration outage) {
        this.link = link;
        this.keys = keys;
        this.faults = faults;
        this.outage = outage;
    }

    /** The queue of each job id, from the id index, in the order asked. Null when unknown. */
    List<String> queuesOf(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<String> values = faults.ride(
                "look up jobs",
                outage,
                () -> KeyTypes.expect(
                        link, keys.jobQueue(), "hash", () -> link.hmget(keys.jobQueue(), ids.toArray(String[]::new))));
        return new ArrayList<>(values);
    }

    /** Every queue name ever written, sorted. */
    List<String> knownQueues() {
        return faults.ride(
                "list queues",
                outage,
                () -> new ArrayList<>(new TreeSet<>(
                        KeyTypes.expect(link, keys.queues(), "set", () -> link.smembers(keys.queues())))));
    }

    /**
     * Writes id → queue entries for jobs just stored. A single server's scripts write the index themselves;
     * a Cluster keeps it in another slot than the queue, so it is written after the script, and a failure
     * here reaches the caller.
     */
    void write(Map<String, String> created) {
        faults.ride(
                "index jobs",
                outage,
                () -> KeyTypes.expect(
                        link, keys.jobQueue(), "hash", () -> link.sync().hset(keys.jobQueue(), created)));
    }

    /**
     * Writes the id index of jobs a pending batch record stored. A failure is only logged: those jobs are
     * still found by queue, and maintenance must go on with its other sweeps.
     */
    void writeApplied(Map<String, String> applied) {
        if (applied.isEmpty()) return;
        try {
            write(applied);
        } catch (RuntimeException e) {
            LOG.warn("indexing the jobs of applied batches failed; they are found by queue: {}", Faults.oneLine(e));
        }
    }

    /** Removes deleted jobs from the id index. */
    void forgetAll(List<String> ids) {
        if (ids.isEmpty()) return;
        faults.ride("forget deleted jobs", outage, () -> {
            for (int i = 0; i < ids.size(); i += 1000) {
                String[] part = ids.subList(i, Math.min(ids.size(), i + 1000)).toArray(String[]::new);
                KeyTypes.expect(link, keys.jobQueue(), "hash", () -> link.hdel(keys.jobQueue(), part));
            }
            return null;
        });
    }
}
