package dev.kyu.broker.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where jobs live: the id index (id → queue, one hash), the set of queue names, and this process's cache
 * of the jobs it leased. A job's keys are named by its queue, so every verb on ids asks here first; the
 * cache only saves a lookup, so forgetting an entry is always safe.
 */
final class RedisJobIndex {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobIndex.class);
    /** Bound on the cache of jobs this process leased (id → queue). */
    private static final int LEASED_CACHE = 100_000;

    private final RedisLink link;
    private final Keys keys;
    private final Faults faults;
    private final Duration outage;
    private final Map<String, String> leased = new ConcurrentHashMap<>();

    RedisJobIndex(RedisLink link, Keys keys, Faults faults, Duration outage) {
        this.link = link;
        this.keys = keys;
        this.faults = faults;
        this.outage = outage;
    }

    /** Notes the queue of a job this process just leased. */
    void remember(String id, String queue) {
        if (leased.size() > LEASED_CACHE) leased.clear();
        leased.put(id, queue);
    }

    /** Drops a job from the lease cache (its lease ended or was lost). */
    void forget(String id) {
        leased.remove(id);
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
            List<String> values = faults.ride("look up jobs", outage, () -> KeyTypes.expect(link, keys.jobQueue(), "hash",
                    () -> link.hmget(keys.jobQueue(), missing.toArray(String[]::new))));
            for (int i = 0; i < missing.size(); i++) if (values.get(i) != null) found.put(missing.get(i), values.get(i));
            for (int i = 0; i < ids.size(); i++) if (out.get(i) == null) out.set(i, found.get(ids.get(i)));
        }
        return out;
    }

    /** Every queue name ever written, sorted. */
    List<String> knownQueues() {
        return faults.ride("list queues", outage, () -> new ArrayList<>(new TreeSet<>(
                KeyTypes.expect(link, keys.queues(), "set", () -> link.smembers(keys.queues())))));
    }

    /**
     * Writes id → queue entries for jobs just stored. A single server's scripts write the index themselves;
     * a Cluster keeps it in another slot than the queue, so it is written after the script, and a failure
     * here reaches the caller.
     */
    void write(Map<String, String> created) {
        faults.ride("index jobs", outage, () -> KeyTypes.expect(link, keys.jobQueue(), "hash",
                () -> link.sync().hset(keys.jobQueue(), created)));
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

    /** Removes deleted jobs from the id index and the lease cache. */
    void forgetAll(List<String> ids) {
        if (ids.isEmpty()) return;
        faults.ride("forget deleted jobs", outage, () -> {
            for (int i = 0; i < ids.size(); i += 1000) {
                String[] part = ids.subList(i, Math.min(ids.size(), i + 1000)).toArray(String[]::new);
                KeyTypes.expect(link, keys.jobQueue(), "hash", () -> link.hdel(keys.jobQueue(), part));
            }
            return null;
        });
        ids.forEach(leased::remove);
    }
}
