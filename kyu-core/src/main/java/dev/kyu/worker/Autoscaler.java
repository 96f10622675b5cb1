package dev.kyu.worker;

import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.QueueInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grows and shrinks a running worker's concurrency with its backlog, as Celery's {@code --autoscale}: each
 * look (every {@code interval}), the wanted concurrency is the jobs running here plus the jobs waiting
 * (QUEUED) on the worker's queues, kept within {@code min..max}. Growing happens at once; shrinking only
 * after the worker has wanted less for {@code idleAfter} without a break, so a short lull does not undo a
 * burst. Jobs run on virtual threads, so a slot costs nothing while it is idle; the limit protects what
 * the jobs use (connections, memory, a rate-limited API).
 */
public final class Autoscaler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

    /**
     * @param min       the least concurrency
     * @param max       the most concurrency
     * @param idleAfter how long the worker must want less before it shrinks
     * @param interval  how often it looks at the backlog
     */
    public record Options(int min, int max, Duration idleAfter, Duration interval) {
        public Options {
            if (min < 1 || max > 100_000 || min > max)
                throw new IllegalArgumentException("autoscale needs 1 <= MIN <= MAX <= 100000, was " + min + "," + max);
            if (idleAfter == null || idleAfter.isNegative())
                throw new IllegalArgumentException("idleAfter must not be negative");
            if (interval == null || interval.isNegative() || interval.isZero())
                throw new IllegalArgumentException("interval must be positive");
        }

        /** {@code MIN,MAX} with the defaults: shrink after 30 s of spare capacity, look every second. */
        public static Options of(int min, int max) {
            return new Options(min, max, Duration.ofSeconds(30), Duration.ofSeconds(1));
        }
    }

    private final Worker worker;
    private final Broker broker;
    private final Options options;
    private final Clock clock;
    private ScheduledExecutorService timer;
    /** Since when the worker has wanted less than it has, or null while it wants at least as much. */
    private Instant spareSince;

    public Autoscaler(Worker worker, Broker broker, Options options, Clock clock) {
        this.worker = worker;
        this.broker = broker;
        this.options = options;
        this.clock = clock;
    }

    /** Sets the worker to {@code min} now and looks every interval from then on. */
    public synchronized Autoscaler start() {
        if (timer != null) throw new IllegalStateException("autoscaler already started");
        if (worker.status().concurrency() < options.min()) worker.resize(options.min());
        if (worker.status().concurrency() > options.max()) worker.resize(options.max());
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("kyu-autoscale").factory());
        long every = options.interval().toMillis();
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        adjust();
                    } catch (RuntimeException e) {
                        log.debug("autoscale could not read the backlog: {}", e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        log.info(
                "autoscaling worker {} between {} and {} job(s) at once",
                worker.options().workerId(),
                options.min(),
                options.max());
        return this;
    }

    /** One look: reads the backlog and resizes the worker when it should; returns the concurrency now. */
    public synchronized int adjust() {
        long waiting = 0;
        for (QueueInfo q : broker.queuesList()) {
            if (worker.options().queues().contains(q.queue()) && !q.paused()) waiting += q.count(JobState.QUEUED);
        }
        WorkerStatus s = worker.status();
        int wanted = (int) Math.max(options.min(), Math.min(options.max(), s.busy() + waiting));
        int now = s.concurrency();
        if (wanted > now) {
            spareSince = null;
            worker.resize(wanted);
            log.info("autoscale: {} job(s) waiting, concurrency {} -> {}", waiting, now, wanted);
            return wanted;
        }
        if (wanted == now) {
            spareSince = null;
            return now;
        }
        Instant t = clock.instant();
        if (spareSince == null) {
            spareSince = t;
            return now;
        }
        if (Duration.between(spareSince, t).compareTo(options.idleAfter()) < 0) return now;
        spareSince = t;
        worker.resize(wanted);
        log.info(
                "autoscale: idle for {}, concurrency {} -> {}",
                dev.kyu.job.Durations.format(options.idleAfter()),
                now,
                wanted);
        return wanted;
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}
