package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.job.Job;
import dev.kyu.spi.WakeSignal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Awaits the end of jobs through the ended channel. The jobs this process's callers are awaiting right now
 * are counted per id; the subscription hands on each id published, only one awaited here wakes anyone, and
 * each awaiter then re-reads its own job. Only jobs marked awaited (await.lua) publish their end, and the
 * scripts read the mark with the fields they read anyway, so a job nobody awaits costs no command.
 */
final class RedisAwaitedJobs {
    /** How long an await subscribed to the ended channel waits before it re-reads anyway (a message lost in a reconnect). */
    private static final Duration SUBSCRIBED_POLL = Duration.ofSeconds(5);

    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final Duration outage;
    private final Function<String, Optional<Job>> read;
    private final BooleanSupplier closed;
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final WakeSignal signal = new WakeSignal();

    RedisAwaitedJobs(
            RedisLink link,
            Keys keys,
            Scripts scripts,
            Faults faults,
            Duration outage,
            Function<String, Optional<Job>> read,
            BooleanSupplier closed) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.outage = outage;
        this.read = read;
        this.closed = closed;
    }

    /** Subscribes to the ended channel (once per link); false when this link cannot subscribe. */
    boolean subscribe() {
        return link.subscribe(keys.ended(), this::ended);
    }

    /**
     * Marks the job awaited, then re-reads it whenever the end of a job awaited in this process is published.
     * The caller has subscribed first, and the mark is written before the read: a job that ends after the
     * mark is announced to a subscriber already listening, one that ended before it is seen ended.
     */
    Optional<Job> await(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        add(id);
        try {
            boolean marked = false;
            while (true) {
                long seen = signal.generation();
                Optional<Job> job = read.apply(id);
                if (job.isEmpty() || job.get().state().isTerminal()) return job;
                if (!marked) {
                    mark(job.get().queue(), id);
                    marked = true;
                    continue; // it may have ended between the read and the mark: read again
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.getAsBoolean()) return job;
                signal.awaitAfter(seen, Math.min(left, SUBSCRIBED_POLL.toNanos()));
            }
        } finally {
            remove(id);
        }
    }

    private void mark(String queue, String id) {
        faults.ride(
                "mark job " + id + " awaited",
                outage,
                () -> scripts.run(Script.AWAIT, keys.route(queue), List.of(queue, id)));
    }

    private void add(String id) {
        ids.merge(id, 1, Integer::sum);
    }

    private void remove(String id) {
        ids.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    }

    /** An id published on the ended channel. */
    private void ended(String id) {
        if (id != null && ids.containsKey(id)) signal.wake();
    }

    void close() {
        signal.close();
    }
}
