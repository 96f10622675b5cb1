package dev.kyu.metrics;

import dev.kyu.Causes;
import dev.kyu.client.Admin;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.WorkerInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the broker: jobs per queue and state, the oldest waiting job's age, paused queues,
 * workers, their slots and busy slots, and whether the last read worked ({@code kyu.broker.up}). One
 * snapshot serves every gauge and is re-read at most once per {@code maxAge}, so a scrape costs two broker
 * queries however many queues there are. A read that fails counts too: while the broker is down a scrape
 * waits for one failed read at most (not one per gauge), and the gauges keep their last numbers beside
 * {@code kyu.broker.up} = 0. A queue seen for the first time gets its gauges at that read; a queue that
 * disappears reads as zero.
 */
final class QueueGauges {
    private static final Logger log = LoggerFactory.getLogger(QueueGauges.class);

    static final String QUEUE_JOBS = "kyu.queue.jobs";
    static final String OLDEST_AGE = "kyu.queue.oldest.job.age";
    static final String PAUSED = "kyu.queue.paused";
    static final String WORKERS = "kyu.workers";
    static final String CONCURRENCY = "kyu.workers.concurrency";
    static final String BUSY = "kyu.workers.busy.slots";
    static final String BROKER_UP = "kyu.broker.up";
    static final String DESIRED = "kyu.queue.desired.workers";
    /** Slots a worker is assumed to have when none reads the queue yet: WorkerOptions' default concurrency. */
    static final int DEFAULT_SLOTS = 10;

    private record Snapshot(Instant brokerNow, Map<String, QueueInfo> queues, List<WorkerInfo> workers) {}

    private final MeterRegistry registry;
    private final Admin admin;
    private final Duration maxAge;
    private final Clock clock;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private volatile Snapshot snapshot = new Snapshot(Instant.EPOCH, Map.of(), List.of());
    /** When the broker was last read, whether or not the read worked. */
    private volatile Instant lastRead = Instant.EPOCH;

    private volatile boolean up;

    QueueGauges(MeterRegistry registry, Admin admin, Duration maxAge, Clock clock) {
        this.registry = registry;
        this.admin = admin;
        this.maxAge = maxAge;
        this.clock = clock;
        Gauge.builder(BROKER_UP, this, g -> {
                    g.current();
                    return g.up ? 1 : 0;
                })
                .description("1 when the last read of the broker for these gauges worked, 0 when it failed")
                .register(registry);
        Gauge.builder(WORKERS, this, g -> g.current().workers.size())
                .description("Workers in the registry")
                .register(registry);
        Gauge.builder(
                        CONCURRENCY,
                        this,
                        g -> g.current().workers.stream()
                                .mapToInt(WorkerInfo::concurrency)
                                .sum())
                .description("Job slots of all workers")
                .register(registry);
        Gauge.builder(
                        BUSY,
                        this,
                        g -> g.current().workers.stream()
                                .mapToInt(WorkerInfo::busy)
                                .sum())
                .description("Jobs running on all workers")
                .register(registry);
        refreshNow();
    }

    synchronized void refreshNow() {
        lastRead = clock.instant();
        try {
            var queues = admin.queues().stream().collect(Collectors.toMap(QueueInfo::queue, q -> q, (a, b) -> a));
            snapshot = new Snapshot(admin.now(), queues, admin.workers());
            up = true;
            queues.keySet().forEach(this::register);
        } catch (RuntimeException e) {
            // A scrape must not fail because the broker is down: keep the last numbers and say why once per read.
            up = false;
            log.warn("could not read queue metrics from the broker: {}", Causes.oneLine(e));
            log.debug("reading queue metrics failed", e);
        }
    }

    private boolean stale() {
        return lastRead.plus(maxAge).isBefore(clock.instant());
    }

    private Snapshot current() {
        if (stale()) {
            synchronized (this) {
                // the gauges of one scrape queue up here: the first reads, the rest find the read done
                if (stale()) refreshNow();
            }
        }
        return snapshot;
    }

    /**
     * ceil((QUEUED + RUNNING) / slots per worker), slots being the mean concurrency of the workers that read
     * the queue (10 when none does): what a Kubernetes autoscaler should run. Running jobs count, so busy
     * workers are not scaled away while the list of waiting jobs is short.
     */
    static double desiredWorkers(Snapshot snap, String queue) {
        QueueInfo q = snap.queues.get(queue);
        if (q == null) return 0;
        long jobs = q.count(JobState.QUEUED) + q.count(JobState.RUNNING);
        double slots = snap.workers.stream()
                .filter(w -> w.queues().contains(queue))
                .mapToInt(WorkerInfo::concurrency)
                .average()
                .orElse(DEFAULT_SLOTS);
        return Math.ceil(jobs / Math.max(1, slots));
    }

    private void register(String queue) {
        if (!known.add(queue)) return;
        for (JobState s : JobState.values()) {
            Gauge.builder(QUEUE_JOBS, this, g -> {
                        QueueInfo q = g.current().queues.get(queue);
                        return q == null ? 0 : q.count(s);
                    })
                    .description("Jobs per queue and state")
                    .tags("queue", queue, "state", s.name())
                    .register(registry);
        }
        Gauge.builder(OLDEST_AGE, this, g -> {
                    Snapshot snap = g.current();
                    QueueInfo q = snap.queues.get(queue);
                    if (q == null || q.oldestQueuedAt() == null) return 0;
                    return Math.max(
                            0,
                            Duration.between(q.oldestQueuedAt(), snap.brokerNow).toMillis() / 1000.0);
                })
                .description("How long the oldest QUEUED job has waited since it was due")
                .baseUnit("seconds")
                .tags("queue", queue)
                .register(registry);
        Gauge.builder(DESIRED, this, g -> desiredWorkers(g.current(), queue))
                .description(
                        "Workers this queue's jobs (waiting and running) would fill, at the slots its workers have")
                .tags("queue", queue)
                .register(registry);
        Gauge.builder(PAUSED, this, g -> {
                    QueueInfo q = g.current().queues.get(queue);
                    return q != null && q.paused() ? 1 : 0;
                })
                .description("1 when the queue is paused")
                .tags("queue", queue)
                .register(registry);
    }
}
