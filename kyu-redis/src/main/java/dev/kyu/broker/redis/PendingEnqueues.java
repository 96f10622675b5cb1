package dev.kyu.broker.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.kyu.broker.redis.Scripts.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch over several queues on a Redis Cluster, stored all or nothing in effect. Each queue's keys live
 * in their own slot, so no one script can store the batch: first every queue's keys and ids are checked
 * (nothing written), then one script stores the first queue's part together with a record of the whole
 * batch (that queue's {@code pending} hash, field = the batch's first job id), then each other queue's part
 * is applied, and the record is removed. Applying is idempotent (a job already stored is left as it is), so
 * a record left by a crash, or by a failed apply, is applied again by maintenance ({@link #drain}): once
 * the record is written the batch is durable and the enqueue is reported done.
 */
final class PendingEnqueues {
    private static final Logger LOG = LoggerFactory.getLogger(PendingEnqueues.class);
    private static final TypeReference<List<List<String>>> ITEMS = new TypeReference<>() {};
    /** The index of the queue in a job's enqueue fields (RedisEnqueuer.enqueueArgs). */
    private static final int QUEUE = 2;
    /** The index of the JSON array of dependents' ids in a job's enqueue fields. */
    private static final int DEPENDENTS = 16;
    /** The index of the unique key in a job's enqueue fields, followed by its scope and period. */
    private static final int UNIQUE_KEY = 8;

    private static final TypeReference<List<String>> IDS = new TypeReference<>() {};
    private static final java.util.Set<String> ENDED = java.util.Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final ScriptRunner runner;
    private final Faults faults;
    private final ClusterUniqueKeys uniqueKeys;
    private final Duration outage;
    private final SkippedQueues skipped = new SkippedQueues();
    /**
     * The answers of a stored batch, and whether every part is applied already (else its record waits for
     * maintenance, and the unique keys it claimed stay unconfirmed: live as claims in flight until then).
     */
    record Stored(List<Object> answers, boolean whole) {}

    PendingEnqueues(
            RedisLink link,
            Keys keys,
            Scripts scripts,
            ScriptRunner runner,
            Faults faults,
            ClusterUniqueKeys uniqueKeys,
            Duration outage) {
        this.uniqueKeys = uniqueKeys;
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.runner = runner;
        this.faults = faults;
        this.outage = outage;
    }

    /**
     * Stores items (each a job's enqueue fields) spanning several queues; answers one value per item as the
     * enqueue script does. Throws, with nothing stored, when a check refuses the batch.
     */
    Stored store(List<List<String>> items) {
        Map<String, List<Integer>> parts = parts(items);
        List<String> queues = new ArrayList<>(parts.keySet());
        // Every part checked before anything is written: a wrong-typed key or a taken id refuses the whole batch.
        faults.ride("enqueue", Duration.ZERO, () -> {
            var checks = new ArrayList<CompletableFuture<Object>>();
            for (String q : queues) {
                checks.add(
                        scripts.runAsync(Script.ENQUEUE, keys.route(q), args(items, parts.get(q), "check", null, null))
                                .toCompletableFuture());
            }
            for (var c : checks) runner.await(c);
            return null;
        });
        String first = queues.get(0);
        String field = items.get(0).get(0);
        String record = encode(items);
        List<Object> answers = faults.ride(
                "enqueue",
                Duration.ZERO,
                () -> scripts.run(Script.ENQUEUE, keys.route(first), args(items, parts.get(first), "", field, record)));
        Object[] out = new Object[items.size()];
        place(out, parts.get(first), answers);
        // Every other job is stored once the record is: reported stored whatever happens to the parts below.
        for (int i = 0; i < out.length; i++) if (out[i] == null) out[i] = 1L;
        try {
            apply(items, parts, queues.subList(1, queues.size()));
            releaseEnded(items);
            faults.ride("enqueue", Duration.ZERO, () -> link.sync().hdel(keys.queue(first, "pending"), field));
            return new Stored(java.util.Arrays.asList(out), true);
        } catch (RuntimeException e) {
            LOG.warn(
                    "storing part of batch {} failed; its record in queue {} is applied again by maintenance: {}",
                    field,
                    first,
                    Faults.oneLine(e));
            return new Stored(java.util.Arrays.asList(out), false);
        }
    }

    /**
     * Applies the records left in these queues (a crash, or a failed apply, after the record was written),
     * then removes them; answers the queues of the jobs so applied, whose id index the caller writes.
     * A record that cannot be applied yet stays for the next sweep.
     */
    Map<String, String> drain(Collection<String> queues) {
        var applied = new LinkedHashMap<String, String>();
        if (!link.cluster()) return applied;
        for (String q : new LinkedHashSet<>(queues)) {
            try {
                String pending = keys.queue(q, "pending");
                Map<String, String> records = faults.ride(
                        "apply pending enqueues",
                        outage,
                        () -> KeyTypes.expect(
                                link, pending, "hash", () -> link.sync().hgetall(pending)));
                for (var r : records.entrySet()) {
                    List<List<String>> items = decode(r.getValue());
                    if (items != null) {
                        var claims = new ArrayList<ClusterUniqueKeys.Claim>();
                        items = claimed(items, claims);
                        if (!items.isEmpty()) {
                            Map<String, List<Integer>> parts = parts(items);
                            apply(items, parts, new ArrayList<>(parts.keySet()));
                            releaseEnded(items);
                        }
                        faults.ride("apply pending enqueues", outage, () -> {
                            uniqueKeys.confirm(claims);
                            return null;
                        });
                        for (List<String> item : items) applied.put(item.get(0), item.get(QUEUE));
                    } else {
                        LOG.warn(
                                "pending enqueue {} in queue {} is no batch record (foreign data); removed",
                                r.getKey(),
                                q);
                    }
                    faults.ride(
                            "apply pending enqueues", outage, () -> link.sync().hdel(pending, r.getKey()));
                }
            } catch (RuntimeException e) {
                String reason = Faults.badKeyReason(e);
                if (reason != null) skipped.report("apply pending enqueues", List.of(q, reason));
                else
                    LOG.warn(
                            "applying the pending enqueues of queue {} failed, left for the next sweep: {}",
                            q,
                            Faults.oneLine(e));
            }
        }
        return applied;
    }

    /**
     * The items of a record whose unique keys this batch still holds, claimed again (a crash may have outlived
     * the claims it made): a job whose key another live job took meanwhile is a duplicate by now, left out.
     */
    private List<List<String>> claimed(List<List<String>> items, List<ClusterUniqueKeys.Claim> claims) {
        var out = new ArrayList<List<String>>();
        for (List<String> item : items) {
            String key = item.get(UNIQUE_KEY);
            if (key.isEmpty()) {
                out.add(item);
                continue;
            }
            Object got = faults.ride(
                    "apply pending enqueues",
                    outage,
                    () -> uniqueKeys.reclaim(
                            item.get(0), item.get(QUEUE), key, item.get(UNIQUE_KEY + 1), item.get(UNIQUE_KEY + 2)));
            if (got instanceof ClusterUniqueKeys.Claim c) {
                claims.add(c);
                out.add(item);
            } else {
                LOG.warn(
                        "job {} of a pending batch is not stored: job {} took its unique key meanwhile",
                        item.get(0),
                        got);
            }
        }
        return out;
    }

    private void apply(List<List<String>> items, Map<String, List<Integer>> parts, List<String> queues) {
        if (queues.isEmpty()) return;
        faults.ride("enqueue", Duration.ZERO, () -> {
            var calls = new ArrayList<CompletableFuture<Object>>();
            for (String q : queues) {
                calls.add(
                        scripts.runAsync(Script.ENQUEUE, keys.route(q), args(items, parts.get(q), "apply", null, null))
                                .toCompletableFuture());
            }
            for (var c : calls) runner.await(c);
            return null;
        });
    }

    /**
     * Releases, for the dependents of this batch, the parents of the batch that ended before their dependents
     * were stored: a parent's part is live as soon as it is stored, and its release relayed meanwhile found
     * no dependent to lower. The relay counts each parent once per dependent, so a release also recorded (or
     * relayed later) is not counted twice; a parent that has not ended yet releases its now-stored dependents
     * itself.
     */
    private void releaseEnded(List<List<String>> items) {
        var queueOf = new LinkedHashMap<String, String>();
        for (List<String> item : items) queueOf.put(item.get(0), item.get(QUEUE));
        var pairs = new ArrayList<String[]>(); // parent queue, parent id, dependent queue, dependent id
        for (List<String> item : items) {
            if (item.get(DEPENDENTS).isEmpty()) continue;
            for (String d : ids(item.get(DEPENDENTS))) {
                String dq = queueOf.get(d);
                if (dq != null && !dq.equals(item.get(QUEUE)))
                    pairs.add(new String[] {item.get(QUEUE), item.get(0), dq, d});
            }
        }
        if (pairs.isEmpty()) return;
        List<String[]> ended = faults.ride("enqueue", Duration.ZERO, () -> {
            var states = new LinkedHashMap<String, CompletableFuture<String>>();
            for (String[] p : pairs) {
                states.computeIfAbsent(
                        p[1],
                        id -> link.async()
                                .hget(keys.job(p[0], id), "state")
                                .toCompletableFuture()
                                // A job key of another type (foreign data) is no parent that ended.
                                .exceptionally(e -> {
                                    if (String.valueOf(Faults.unwrap(e).getMessage())
                                            .startsWith("WRONGTYPE")) return "";
                                    throw new java.util.concurrent.CompletionException(Faults.unwrap(e));
                                }));
            }
            var out = new ArrayList<String[]>();
            for (String[] p : pairs) {
                String state = runner.await(states.get(p[1]));
                if (state == null || ENDED.contains(state)) out.add(p);
            }
            return out;
        });
        if (ended.isEmpty()) return;
        runner.perItem(
                "release dependents",
                outage,
                Script.RELAY,
                List.of(),
                ended.stream().map(p -> p[2]).toList(),
                ended.stream().map(p -> List.of(p[2], p[3], p[1])).toList(),
                null);
    }

    private static List<String> ids(String json) {
        try {
            List<String> ids = RedisJobCodec.JSON.readValue(json, IDS);
            return ids == null ? List.of() : ids;
        } catch (Exception e) {
            return List.of();
        }
    }

    private static Map<String, List<Integer>> parts(List<List<String>> items) {
        var parts = new LinkedHashMap<String, List<Integer>>();
        for (int i = 0; i < items.size(); i++)
            parts.computeIfAbsent(items.get(i).get(QUEUE), k -> new ArrayList<>())
                    .add(i);
        return parts;
    }

    private static List<String> args(
            List<List<String>> items, List<Integer> part, String mode, String field, String record) {
        var args = new ArrayList<String>();
        args.add(Integer.toString(part.size()));
        for (int i : part) args.addAll(items.get(i));
        args.add(mode);
        if (field != null) {
            args.add(field);
            args.add(record);
        }
        return args;
    }

    private static void place(Object[] out, List<Integer> part, List<Object> answers) {
        for (int j = 0; j < part.size(); j++) out[part.get(j)] = answers.get(j);
    }

    private static String encode(List<List<String>> items) {
        try {
            return RedisJobCodec.JSON.writeValueAsString(items);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a batch record", e);
        }
    }

    /** The items of a record, or null for a value that is no record (foreign data). */
    private static List<List<String>> decode(String json) {
        try {
            List<List<String>> items = RedisJobCodec.JSON.readValue(json, ITEMS);
            if (items == null) return null;
            if (items.isEmpty()) return null;
            for (List<String> item : items) if (item == null || item.size() != 18 || item.contains(null)) return null;
            return items;
        } catch (Exception e) {
            return null;
        }
    }
}
