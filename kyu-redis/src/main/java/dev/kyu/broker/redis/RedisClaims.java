package dev.kyu.broker.redis;

import dev.kyu.KyuException;
import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.FetchRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Hands due jobs to workers: the fetch script leases up to the limit over the queues in the order asked.
 * A claim is one pass of it, never waiting; a fetch repeats it and, between empty passes, waits on the queues'
 * wake keys (a blocking pop, Redis's own blocking path instead of the core's BlockingFetch) until the next due
 * time, the caller's deadline or a wake-up token, whichever comes first. Both lease by the same script, so a
 * claim and a fetch keep the same order, skip the same paused queues and set the same lease. Also promotes
 * scheduled jobs that are due, with the sweeps that must run before a promotion on a Cluster.
 */
final class RedisClaims {
    /** Longest single blocking pop; the fetch loop re-checks due times and shutdown between pops. */
    private static final long MAX_POP_MS = 5_000;

    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final ScriptRunner runner;
    private final RedisSettings settings;
    private final RedisJobIndex index;
    private final RedisQuarantine quarantine;
    private final SkippedQueues skipped;
    private final PendingEnqueues pending;
    private final LinkRelay relay;
    private final BooleanSupplier closed;
    private final AtomicInteger rotation = new AtomicInteger();

    RedisClaims(
            RedisLink link,
            Keys keys,
            Scripts scripts,
            Faults faults,
            ScriptRunner runner,
            RedisSettings settings,
            RedisJobIndex index,
            RedisQuarantine quarantine,
            SkippedQueues skipped,
            PendingEnqueues pending,
            LinkRelay relay,
            BooleanSupplier closed) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.runner = runner;
        this.settings = settings;
        this.index = index;
        this.quarantine = quarantine;
        this.skipped = skipped;
        this.pending = pending;
        this.relay = relay;
        this.closed = closed;
    }

    /** One pass of the fetch script: its time, the next due time (or -1), the leased jobs and the queues it skipped. */
    private record Round(long now, long nextDue, List<Job> jobs, Map<String, String> skipped) {}

    /** Leases up to the request's limit now, without waiting: one pass of the fetch script, no blocking pop. */
    List<Job> claim(ClaimRequest request) {
        for (String q : request.queues()) Names.checkQueue(q);
        if (closed.getAsBoolean()) return List.of();
        // No outage budget, as a fetch without a wait has none: a claim never waits, and a lease script is not
        // sent twice (a retry after a lost reply would lease a second batch while the first waits for rescue).
        return faults.ride(
                        "claim",
                        Duration.ZERO,
                        () -> fetchOnce(request, (route, args) -> scripts.run(Script.FETCH, route, args)))
                .jobs();
    }

    /** Leases up to the request's limit, waiting up to its {@code maxWait}; empty when closed or interrupted. */
    List<Job> fetch(FetchRequest fetch) throws InterruptedException {
        for (String q : fetch.queues()) Names.checkQueue(q);
        ClaimRequest request = fetch.claim();
        long deadline = System.nanoTime() + fetch.maxWait().toNanos();
        long popMs = -1;
        // Set when a fetch behind the pop came back early with nothing: the next wait is a plain pop, so that
        // a pop that fails at once is reported rather than repeated.
        boolean early = false;
        // Queues whose wake key holds another type: left out of the blocking pop (which would fail for all).
        var noWake = new HashSet<String>();
        Map<String, String> lastSkipped = Map.of();
        while (true) {
            if (closed.getAsBoolean()) return List.of();
            Round round;
            try {
                Duration budget = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (popMs < 0) {
                    round = faults.ride(
                            "fetch",
                            budget,
                            () -> fetchOnce(request, (route, args) -> scripts.run(Script.FETCH, route, args)));
                } else {
                    long start = System.nanoTime();
                    round = fetchBehindPop(request, popMs, wakeable(request.queues(), noWake, lastSkipped));
                    if (round == null) {
                        if (closed.getAsBoolean() || Thread.currentThread().isInterrupted()) return List.of();
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
                if (closed.getAsBoolean() || Thread.currentThread().isInterrupted()) return List.of();
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
                if (closed.getAsBoolean()) return List.of();
                if (String.valueOf(e.getMessage()).contains("WRONGTYPE") && skipBadWakeKeys(request.queues(), noWake))
                    continue;
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
    private Round fetchBehindPop(ClaimRequest request, long popMs, List<String> wakeable) {
        if (wakeable.isEmpty()) return fetchOnce(request, (route, args) -> scripts.run(Script.FETCH, route, args));
        List<String> wakeKeys = wakeable.stream().map(keys::wake).toList();
        Duration wait = Duration.ofMillis(popMs);
        try {
            return fetchOnce(request, (route, args) -> scripts.runBehindPop(Script.FETCH, route, args, wakeKeys, wait));
        } catch (KyuException e) {
            throw e;
        } catch (RuntimeException e) {
            if (closed.getAsBoolean() || Thread.currentThread().isInterrupted() || Faults.passing(e)) return null;
            throw faults.translate("fetch", e);
        }
    }

    /** How {@link #fetchOnce} sends the fetch script: straight away, or queued behind a blocking pop. */
    private interface FetchCall {
        List<Object> run(String routeKey, List<String> args);
    }

    private Round fetchOnce(ClaimRequest r, FetchCall call) {
        long leaseMs = Math.max(1, r.leaseDuration().toMillis());
        String lease = Long.toString(leaseMs);
        var jobs = new ArrayList<Job>();
        var skippedHere = new LinkedHashMap<String, String>();
        long now = -1, nextDue = -1;
        List<List<String>> calls =
                link.cluster() ? r.queues().stream().map(List::of).toList() : List.of(r.queues());
        for (List<String> qs : calls) {
            int want = r.limit() - jobs.size();
            if (want <= 0) break;
            var args =
                    new ArrayList<>(List.of(r.workerId(), Integer.toString(want), lease, Integer.toString(qs.size())));
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
                    jobs.add(RedisJobCodec.decodeLeased(
                            values,
                            got.get(i + 3),
                            q,
                            id,
                            r.workerId(),
                            ((Number) out.get(0)).longValue(),
                            String.valueOf(out.get(3)),
                            leaseMs));
                } catch (RuntimeException bad) {
                    quarantine.leased(q, id, r.workerId(), values, bad.getMessage());
                }
            }
        }
        if (!skippedHere.isEmpty() && skippedHere.keySet().containsAll(r.queues())) {
            // Every queue is skipped: the call fails (nothing was written), so the caller hears of it.
            throw new io.lettuce.core.RedisException(
                    Faults.BADKEY + skippedHere.values().iterator().next());
        }
        return new Round(now, nextDue, jobs, skippedHere);
    }

    /** The queues whose wake keys a blocking pop may name: all but those known to be unusable. */
    private static List<String> wakeable(List<String> queues, Set<String> noWake, Map<String, String> skipped) {
        if (noWake.isEmpty() && skipped.isEmpty()) return queues;
        return queues.stream()
                .filter(q -> !noWake.contains(q) && !skipped.containsKey(q))
                .toList();
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
            throw faults.translate(
                    "wait for work",
                    new io.lettuce.core.RedisException(
                            Faults.BADKEY + bad.values().iterator().next()));
        }
        return true;
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

    /** Moves up to {@code limit} due scheduled jobs, over every queue, to QUEUED; answers how many moved. */
    int promoteDue(int limit) {
        if (limit < 1) return 0;
        List<String> queues = index.knownQueues();
        // A Cluster: batches over several queues left part-stored by a crash are stored whole, and releases of
        // dependents left by a crash between a job's end and its relay are applied again.
        index.writeApplied(pending.drain(queues));
        relay.drain(queues);
        // Jobs due past the range of enqueue (a foreign writer's +inf) would wait for ever: quarantine them first.
        quarantine.unreachable("sweep unreachable jobs", Long.toString(JobOptions.LATEST.toEpochMilli()), queues);
        List<List<Object>> answers = runner.perQueue(
                "promote",
                settings.outage(),
                Script.PROMOTE,
                List.of(Integer.toString(limit)),
                queues,
                (List<Object> a) -> ((Number) a.get(0)).intValue(),
                0);
        int moved = 0;
        for (List<Object> a : answers) {
            moved += ((Number) a.get(0)).intValue();
            skipped.report("promotion", (List<?>) a.get(1));
        }
        return moved;
    }
}
