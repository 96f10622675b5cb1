package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.StatsBucket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The read side for the CLI and dashboard. Every answer comes from per-queue indexes (a sorted set of ids
 * per state, ordered by id, so newest first is a reverse range; the lease set for RUNNING) and never from
 * scanning the keyspace; a list without a state merges the states' indexes. Filters on task or text walk
 * the index newest first, a bounded number of jobs deep. A listing's cursor ({@link JobQuery#after()}) is the
 * upper bound, exclusive, of the first lex range read, so a deep page costs what the first one does.
 */
final class RedisQueries {
    /** How deep a task/text filter looks into one queue's index. */
    private static final int FILTER_DEPTH = 20_000;

    private static final JobState[] ORDER = {
        JobState.BLOCKED,
        JobState.SCHEDULED,
        JobState.QUEUED,
        JobState.RUNNING,
        JobState.SUCCEEDED,
        JobState.FAILED,
        JobState.CANCELLED
    };

    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final ScriptRunner runner;
    private final RedisSettings settings;
    /** Queues a listing over several queues left out for a key of another type, each reason logged once. */
    private final SkippedQueues skipped = new SkippedQueues();

    RedisQueries(
            RedisLink link, Keys keys, Scripts scripts, Faults faults, ScriptRunner runner, RedisSettings settings) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.runner = runner;
        this.settings = settings;
    }

    Optional<Job> jobGet(String id) {
        if (id == null || id.isEmpty()) return Optional.empty();
        return faults.ride("read job " + id, settings.outage(), () -> {
            String q = KeyTypes.expect(link, keys.jobQueue(), "hash", () -> link.hget(keys.jobQueue(), id));
            if (q == null) return Optional.<Job>empty();
            List<Object> dumps = scripts.run(Script.GET, keys.route(q), List.of("1", q, id));
            return Optional.ofNullable(RedisJobCodec.decode(dumps.get(0), q, id, false));
        });
    }

    /**
     * The jobs of these ids that exist, in the order asked. On a single server one script call finds each
     * job's queue in the id index and reads it; on a Cluster the queues are looked up first (another slot)
     * and the reads sent to their nodes together.
     */
    List<Job> jobsGet(List<String> ids, java.util.function.Function<List<String>, List<String>> queuesOf) {
        var wanted = new ArrayList<String>(ids.size());
        for (String id : ids) if (id != null && !id.isEmpty()) wanted.add(id);
        if (wanted.isEmpty()) return List.of();
        List<String> queues =
                link.cluster() ? queuesOf.apply(wanted) : java.util.Collections.nCopies(wanted.size(), "");
        var known = new ArrayList<Integer>();
        for (int i = 0; i < wanted.size(); i++) if (queues.get(i) != null) known.add(i);
        if (known.isEmpty()) return List.of();
        List<Object> dumps = runner.perItem(
                "read jobs",
                settings.outage(),
                Script.GET,
                List.of(),
                known.stream()
                        .map(i -> queues.get(i).isEmpty() ? "_" : queues.get(i))
                        .toList(),
                known.stream().map(i -> List.of(queues.get(i), wanted.get(i))).toList(),
                null);
        var out = new ArrayList<Job>(known.size());
        for (int j = 0; j < known.size(); j++) {
            String id = wanted.get(known.get(j));
            Object dump = dumps.get(j);
            String q = queues.get(known.get(j));
            if (q.isEmpty() && dump instanceof List<?> l && l.size() > 2) q = String.valueOf(l.get(2));
            Job job = q.isEmpty() ? null : RedisJobCodec.decode(dump, q, id, false);
            if (job != null) out.add(job);
        }
        return out;
    }

    private record Found(String id, Job job) {}

    /** A queue's listing refused by its scripts for a key of another type (the reason names the key). */
    private static final class ForeignKey extends RuntimeException {
        final String reason;

        ForeignKey(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    List<Job> jobsList(JobQuery query, List<String> allQueues) {
        List<String> queues = query.queue() == null ? allQueues : List.of(query.queue());
        if (query.queue() != null) Names.checkQueue(query.queue());
        String state = query.state() == null ? "" : query.state().name();
        int need = query.offset() + query.limit();
        boolean filtered =
                query.task() != null || (query.text() != null && !query.text().isEmpty());
        var found = new ArrayList<Found>();
        var bad = new ArrayList<String>();
        for (String q : queues) {
            try {
                listQueue(q, state, need, filtered, query, found);
            } catch (ForeignKey e) {
                // Over several queues, one whose keys hold foreign data is left out (and logged), not the whole
                // listing.
                if (query.queue() != null) skipAll("list jobs", queues, List.of(q, e.reason));
                bad.add(q);
                bad.add(e.reason);
            }
        }
        skipAll("list jobs", queues, bad);
        found.sort(Comparator.comparing(Found::id).reversed());
        return found.stream()
                .skip(query.offset())
                .limit(query.limit())
                .map(Found::job)
                .toList();
    }

    private void listQueue(String q, String state, int need, boolean filtered, JobQuery query, List<Found> found) {
        int page = Math.min(Math.max(need, 100), 1000);
        int matched = 0;
        // The query's cursor, else from the newest: list.lua reads only ids below it ('' = no bound), as a lex range.
        String cursor = query.after() == null ? "" : query.after();
        // Pages by id (each page starts below the last id seen), newest first.
        for (int seen = 0; matched < need && seen < (filtered ? FILTER_DEPTH : need); seen += page) {
            String below = cursor;
            String[] badKey = {null};
            List<Object> flat = faults.ride("list jobs", settings.outage(), () -> {
                try {
                    return scripts.run(Script.LIST, keys.route(q), List.of(q, state, below, Integer.toString(page)));
                } catch (RuntimeException e) {
                    // Kept apart from the outages ride() retries: the caller decides whether to leave the queue out.
                    badKey[0] = Faults.badKeyReason(e);
                    if (badKey[0] == null) throw e;
                    return null;
                }
            });
            if (flat == null) throw new ForeignKey(badKey[0]);
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                String id = String.valueOf(flat.get(i));
                cursor = id;
                Job job = RedisJobCodec.decode(flat.get(i + 1), q, id, false);
                if (job != null && matches(job, query)) {
                    found.add(new Found(id, job));
                    matched++;
                }
            }
            if (flat.size() / 2 < page) break;
        }
    }

    /**
     * Logs the queues a listing left out ({queue, reason, …}); when it left out every queue it was asked
     * for, there is nothing to show and the listing fails with the first reason, naming the key.
     */
    private void skipAll(String what, List<String> queues, List<String> flat) {
        if (flat.isEmpty()) return;
        Map<String, String> out = skipped.report(what, flat);
        if (out.keySet().containsAll(queues)) {
            throw faults.translate(
                    what,
                    new io.lettuce.core.RedisException(
                            Faults.BADKEY + out.values().iterator().next()));
        }
    }

    private static boolean matches(Job job, JobQuery q) {
        if (q.task() != null && !q.task().equals(job.task())) return false;
        if (q.text() == null || q.text().isEmpty()) return true;
        String t = q.text().toLowerCase(Locale.ROOT);
        JobError last = job.lastError();
        return job.id().toLowerCase(Locale.ROOT).contains(t)
                || job.task().toLowerCase(Locale.ROOT).contains(t)
                || (job.args() != null && job.args().toLowerCase(Locale.ROOT).contains(t))
                || (last != null && last.message().toLowerCase(Locale.ROOT).contains(t));
    }

    List<QueueInfo> queuesList(List<String> queues) {
        return counts(queues, true).stream()
                .filter(i -> i.paused()
                        || i.counts().values().stream()
                                        .mapToLong(Long::longValue)
                                        .sum()
                                > 0)
                .toList();
    }

    /**
     * Each queue's counts. With {@code tolerant}, a queue whose keys hold foreign data is left out (and
     * logged) rather than failing the counts of the others: the dashboard's queue list over every queue.
     */
    List<QueueInfo> counts(List<String> queues, boolean tolerant) {
        var bad = new ArrayList<String>();
        List<QueueInfo> out = faults.ride("count jobs", settings.outage(), () -> {
            bad.clear();
            List<CompletableFuture<List<Object>>> calls = scripts.runMany(
                    Script.COUNTS,
                    queues.stream().map(keys::route).toList(),
                    queues.stream().map(List::of).toList());
            var infos = new ArrayList<QueueInfo>();
            for (int i = 0; i < queues.size(); i++) {
                List<Object> c;
                try {
                    c = runner.await(calls.get(i));
                } catch (RuntimeException e) {
                    String reason = Faults.badKeyReason(e);
                    if (!tolerant || reason == null) throw e;
                    bad.add(queues.get(i));
                    bad.add(reason);
                    continue;
                }
                var counts = new EnumMap<JobState, Long>(JobState.class);
                for (int s = 0; s < ORDER.length; s++) counts.put(ORDER[s], ((Number) c.get(s + 1)).longValue());
                long oldest = ((Number) c.get(ORDER.length + 1)).longValue();
                infos.add(new QueueInfo(
                        queues.get(i),
                        ((Number) c.get(0)).longValue() == 1,
                        counts,
                        oldest < 0 ? null : Instant.ofEpochMilli(oldest)));
            }
            return infos;
        });
        skipAll("count jobs", queues, bad);
        return out;
    }

    List<StatsBucket> statsHistory(Instant since, List<String> queues) {
        long sinceMs = since == null ? Long.MIN_VALUE : since.toEpochMilli();
        return faults.ride("read statistics", settings.outage(), () -> {
            var calls = new ArrayList<CompletableFuture<Map<String, String>>>();
            for (String q : queues)
                calls.add(link.async().hgetall(keys.stats(q)).toCompletableFuture());
            var out = new ArrayList<StatsBucket>();
            for (int i = 0; i < queues.size(); i++) {
                var perMinute = new TreeMap<Long, long[]>();
                var call = calls.get(i);
                for (var e : KeyTypes.expect(link, keys.stats(queues.get(i)), "hash", () -> runner.await(call))
                        .entrySet()) {
                    int colon = e.getKey().indexOf(':');
                    if (colon < 0) continue;
                    long minute;
                    long n;
                    try {
                        minute = Long.parseLong(e.getKey().substring(0, colon));
                        n = Long.parseLong(e.getValue());
                    } catch (NumberFormatException bad) {
                        continue;
                    }
                    if (minute + 60_000 <= sinceMs) continue;
                    long[] c = perMinute.computeIfAbsent(minute, m -> new long[3]);
                    switch (e.getKey().substring(colon + 1)) {
                        case "s" -> c[0] += n;
                        case "f" -> c[1] += n;
                        case "r" -> c[2] += n;
                        default -> {}
                    }
                }
                for (var e : perMinute.entrySet()) {
                    out.add(new StatsBucket(
                            Instant.ofEpochMilli(e.getKey()),
                            queues.get(i),
                            e.getValue()[0],
                            e.getValue()[1],
                            e.getValue()[2]));
                }
            }
            out.sort(Comparator.comparing(StatsBucket::minute).thenComparing(StatsBucket::queue));
            return out;
        });
    }
}
