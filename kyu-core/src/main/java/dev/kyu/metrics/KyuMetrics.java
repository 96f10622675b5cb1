package dev.kyu.metrics;

import dev.kyu.Kyu;
import dev.kyu.client.Admin;
import dev.kyu.job.Job;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Kyu's Micrometer meters (names in docs/metrics.md). Two halves:
 * <ul>
 *   <li>a {@link JobListener} that counts what this process's workers record (completed, failed, retried,
 *       cancelled by task and queue) and times each attempt and its wait in the queue;</li>
 *   <li>gauges read from the broker's query verbs through {@link QueueGauges} (depth per state, age of the
 *       oldest waiting job, workers and busy slots), the same numbers from every process.</li>
 * </ul>
 * Register the listener when building Kyu and the gauges with {@link #watch(Admin)}; {@link #bind} does
 * the second for an existing Kyu:
 * <pre>{@code
 * var metrics = new KyuMetrics(registry);
 * Kyu kyu = Kyu.builder().broker(url).listener(metrics).build();
 * metrics.watch(kyu.admin()).watchLimits(kyu.limits(), kyu.flowGate());
 * }</pre>
 */
public final class KyuMetrics implements JobListener {
    public static final String ENQUEUED = "kyu.jobs.enqueued";
    public static final String STARTED = "kyu.jobs.started";
    public static final String COMPLETED = "kyu.jobs.completed";
    public static final String FAILED = "kyu.jobs.failed";
    public static final String RETRIED = "kyu.jobs.retried";
    public static final String CANCELLED = "kyu.jobs.cancelled";
    public static final String DURATION = "kyu.job.duration";
    public static final String QUEUE_WAIT = "kyu.job.queue.wait";
    /** Attempts abandoned at their hard time limit, whose threads could not be stopped and may still run. */
    public static final String ABANDONED = "kyu.jobs.abandoned";

    private final MeterRegistry registry;
    /**
     * Meters by name and tags, found once: building and registering a meter's id costs more than the
     * job it counts. The set is bounded by tasks x queues x outcomes.
     */
    private final java.util.concurrent.ConcurrentHashMap<MeterKey, Counter> counters =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.ConcurrentHashMap<MeterKey, Timer> timers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile QueueGauges gauges;
    private volatile FlowGauges flowGauges;

    private record MeterKey(String name, String task, String queue, String outcome) {}

    public KyuMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the broker gauges and counts this Kyu's enqueues and its workers' outcomes from now on (once per registry). */
    public static KyuMetrics bind(Kyu kyu, MeterRegistry registry) {
        // Already listening into this registry (the application passed it to Kyu.builder().listener):
        // reuse it, or every job would be counted twice.
        for (var l : kyu.listeners()) {
            if (l instanceof KyuMetrics existing && existing.registry == registry) {
                return existing.watch(kyu.admin()).watchLimits(kyu.limits(), kyu.flowGate());
            }
        }
        var m = new KyuMetrics(registry);
        m.watch(kyu.admin());
        m.watchLimits(kyu.limits(), kyu.flowGate());
        kyu.listen(m);
        return m;
    }

    @Override
    public void onEnqueued(String task, String queue) {
        enqueued(task, queue, 1);
    }

    /** Registers the gauges polled from the broker (at most every two seconds, whatever the scrape rate). */
    public synchronized KyuMetrics watch(Admin admin) {
        if (gauges == null)
            gauges = new QueueGauges(registry, admin, Duration.ofSeconds(2), java.time.Clock.systemUTC());
        return this;
    }

    /**
     * Registers the flow-limit meters ({@code kyu.flow.held}, {@code kyu.flow.waiting}, {@code kyu.flow.running},
     * tagged by limit), polled from the broker at most every two seconds (once per registry).
     */
    public synchronized KyuMetrics watchLimits(dev.kyu.flow.Limits limits, dev.kyu.flow.FlowGate gate) {
        if (flowGauges == null)
            flowGauges = new FlowGauges(registry, limits, gate, Duration.ofSeconds(2), java.time.Clock.systemUTC());
        return this;
    }

    /** Reads the broker now and registers gauges for queues (and flow limits) seen for the first time; call before a scrape. */
    public void refresh() {
        QueueGauges g = gauges;
        if (g != null) g.refreshNow();
        FlowGauges f = flowGauges;
        if (f != null) f.refreshNow();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Counts jobs enqueued elsewhere (a producer that reports them itself). */
    public void enqueued(String task, String queue, int n) {
        counter(ENQUEUED, task, queue).increment(n);
    }

    @Override
    public void onStarted(Job job) {
        counter(STARTED, job.task(), job.queue()).increment();
        if (job.startedAt() != null && job.scheduledAt() != null) {
            Duration wait = Duration.between(job.scheduledAt(), job.startedAt());
            timer(
                            new MeterKey(QUEUE_WAIT, job.task(), job.queue(), null),
                            k -> Timer.builder(QUEUE_WAIT)
                                    .description("Time from a job's due time to the start of its attempt")
                                    .tags("task", k.task(), "queue", k.queue())
                                    .publishPercentileHistogram()
                                    .register(registry))
                    .record(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    @Override
    public void onAbandoned(Job job) {
        counter(ABANDONED, job.task(), job.queue()).increment();
    }

    @Override
    public void onRecorded(Job job, Outcome outcome, Duration runTime) {
        String name = switch (outcome) {
            case Outcome.Succeeded s -> COMPLETED;
            case Outcome.Dead d -> FAILED;
            case Outcome.Retry r -> RETRIED;
            case Outcome.Cancelled c -> CANCELLED;
            case Outcome.Released r -> null;
        };
        if (name == null) return;
        counter(name, job.task(), job.queue()).increment();
        timer(
                        new MeterKey(DURATION, job.task(), job.queue(), outcomeTag(outcome)),
                        k -> Timer.builder(DURATION)
                                .description("Run time of one attempt")
                                .tags("task", k.task(), "queue", k.queue(), "outcome", k.outcome())
                                .publishPercentileHistogram()
                                .register(registry))
                .record(runTime);
    }

    private Counter counter(String name, String task, String queue) {
        var key = new MeterKey(name, task, queue, null);
        Counter c = counters.get(key);
        return c != null
                ? c
                : counters.computeIfAbsent(
                        key,
                        k -> Counter.builder(k.name())
                                .tags("task", k.task(), "queue", k.queue())
                                .register(registry));
    }

    private Timer timer(MeterKey key, java.util.function.Function<MeterKey, Timer> create) {
        Timer t = timers.get(key);
        return t != null ? t : timers.computeIfAbsent(key, create);
    }

    private static String outcomeTag(Outcome o) {
        return switch (o) {
            case Outcome.Succeeded s -> "succeeded";
            case Outcome.Dead d -> "failed";
            case Outcome.Retry r -> "retried";
            case Outcome.Cancelled c -> "cancelled";
            case Outcome.Released r -> "released";
        };
    }
}
