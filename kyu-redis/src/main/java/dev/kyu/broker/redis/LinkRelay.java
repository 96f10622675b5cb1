package dev.kyu.broker.redis;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kyu.broker.redis.Scripts.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases of job links on a Redis Cluster, where a job and its dependents live in different slots and one
 * script cannot reach both: the script that ends (or deletes) a job records the release in its own queue's
 * {@code relay} hash (parent id → dependents), and this relay applies it with {@code relay.lua}, one call per
 * dependents' slot, then clears the record. Applying is idempotent (each BLOCKED dependent keeps the parents
 * it has counted), so a record left by a crash between the two steps is simply applied again by the next
 * drain; maintenance drains every queue. A drain that fails leaves its records for the next one.
 */
final class LinkRelay {
    private static final Logger LOG = LoggerFactory.getLogger(LinkRelay.class);
    private static final TypeReference<List<Object>> LIST = new TypeReference<>() {};

    private final RedisLink link;
    private final Keys keys;
    private final ScriptRunner runner;
    private final Faults faults;
    private final Duration outage;
    private final Function<List<String>, List<String>> queuesOf;
    private final SkippedQueues skipped = new SkippedQueues();

    LinkRelay(
            RedisLink link,
            Keys keys,
            ScriptRunner runner,
            Faults faults,
            Duration outage,
            Function<List<String>, List<String>> queuesOf) {
        this.link = link;
        this.keys = keys;
        this.runner = runner;
        this.faults = faults;
        this.outage = outage;
        this.queuesOf = queuesOf;
    }

    /** Applies the releases recorded in these queues; a no-op on a single server, where scripts release at once. */
    void drain(Collection<String> queues) {
        if (!link.cluster() || queues.isEmpty()) return;
        for (String q : new LinkedHashSet<>(queues)) {
            try {
                drainOne(q);
            } catch (RuntimeException e) {
                // The records stay for the next drain (maintenance runs one over every queue).
                String reason = Faults.badKeyReason(e);
                if (reason != null) skipped.report("release dependents", List.of(q, reason));
                else
                    LOG.warn(
                            "releasing dependents recorded in queue {} failed, left for the next sweep: {}",
                            q,
                            Faults.oneLine(e));
            }
        }
    }

    private void drainOne(String q) {
        String relay = keys.queue(q, "relay");
        Map<String, String> records = faults.ride(
                "release dependents",
                outage,
                () -> KeyTypes.expect(link, relay, "hash", () -> link.sync().hgetall(relay)));
        if (records.isEmpty()) return;
        var parents = new ArrayList<String>();
        var children = new ArrayList<String>();
        for (var r : records.entrySet()) {
            for (String child : ids(r.getValue())) {
                parents.add(r.getKey());
                children.add(child);
            }
        }
        List<String> childQueues = children.isEmpty() ? List.of() : queuesOf.apply(children);
        var known = new ArrayList<Integer>();
        for (int i = 0; i < children.size(); i++) if (childQueues.get(i) != null) known.add(i);
        if (!known.isEmpty()) {
            runner.perItem(
                    "release dependents",
                    outage,
                    Script.RELAY,
                    List.of(),
                    known.stream().map(childQueues::get).toList(),
                    known.stream()
                            .map(i -> List.of(childQueues.get(i), children.get(i), parents.get(i)))
                            .toList(),
                    null);
        }
        // Only the records read: one added meanwhile (the same parent cannot end twice with dependents) stays.
        faults.ride(
                "release dependents",
                outage,
                () -> link.sync().hdel(relay, records.keySet().toArray(String[]::new)));
    }

    /** The ids of a stored dependents list; none for a value that is no JSON array (foreign data), as the scripts read it. */
    private static List<String> ids(String json) {
        try {
            List<Object> raw = RedisJobCodec.JSON.readValue(json, LIST);
            var out = new ArrayList<String>();
            if (raw != null) for (Object o : raw) if (o instanceof String s && !s.isEmpty()) out.add(s);
            return out;
        } catch (Exception e) {
            return List.of();
        }
    }
}
