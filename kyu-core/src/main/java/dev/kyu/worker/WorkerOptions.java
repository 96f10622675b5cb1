package dev.kyu.worker;

import dev.kyu.job.Durations;
import dev.kyu.task.Task;
import dev.kyu.worker.isolated.IsolatedOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How a worker runs. Build with {@link #builder()}; every value is checked at build time with a message
 * that names the bad value.
 *
 * @param queues            queues to read, in strict order unless {@code weights} is set
 * @param weights           per-queue weights for weighted reading (a queue with weight 3 is read first
 *                          three times as often as one with weight 1); empty for strict order
 * @param concurrency       the most jobs running at once (a limit, not a thread count)
 * @param prefetch          jobs leased beyond free slots, so a slot that frees up starts work without a round trip
 * @param leaseDuration     how long a fetched job stays leased without a heartbeat
 * @param heartbeatInterval how often leases are extended (well under {@code leaseDuration})
 * @param fetchWait         the longest a fetch blocks on the broker before looking around again
 * @param shutdownGrace     how long running jobs may finish at shutdown before they are handed back
 * @param unknownTaskGrace  how long a job naming a task this worker lacks is put back for other workers
 *                          (a rolling deploy) before it fails
 * @param unknownTaskDelay  how long such a job waits before it is offered again
 * @param platformThreads   run jobs on platform threads (CPU-bound work) instead of virtual threads
 * @param maintenance       run the maintenance loops (promote, rescue, prune) in this worker
 * @param workerId          this worker's identity in leases and the registry
 * @param hardTimeoutGrace  how long a job past its timeout may take to stop after its interrupt; then its
 *                          attempt is failed as timed out, its lease given up and its slot freed, while its
 *                          thread (which cannot be killed) is reported as a runaway and its outcome ignored
 * @param isolated          the tasks run in child JVMs that a timeout kills (docs/tasks.md, "Isolated mode")
 */
public record WorkerOptions(
        List<String> queues,
        Map<String, Integer> weights,
        int concurrency,
        int prefetch,
        Duration leaseDuration,
        Duration heartbeatInterval,
        Duration fetchWait,
        Duration shutdownGrace,
        Duration unknownTaskGrace,
        Duration unknownTaskDelay,
        boolean platformThreads,
        boolean maintenance,
        String workerId,
        Duration hardTimeoutGrace,
        IsolatedOptions isolated) {

    /** The shortest lease a worker takes. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);

    public WorkerOptions {
        queues = List.copyOf(queues);
        if (queues.isEmpty()) throw new IllegalArgumentException("a worker needs at least one queue");
        queues.forEach(Task::checkQueue);
        if (queues.stream().distinct().count() != queues.size())
            throw new IllegalArgumentException("queue listed twice in " + queues);
        weights = weights == null ? Map.of() : Map.copyOf(weights);
        weights.forEach((q, w) -> {
            if (w == null || w < 1)
                throw new IllegalArgumentException("weight of queue " + q + " must be at least 1, was " + w);
        });
        if (!weights.isEmpty() && !weights.keySet().equals(new java.util.HashSet<>(queues))) {
            throw new IllegalArgumentException("weights " + weights + " must name exactly the queues " + queues);
        }
        if (concurrency < 1 || concurrency > 100_000)
            throw new IllegalArgumentException("concurrency must be 1..100000, was " + concurrency);
        if (prefetch < 0) throw new IllegalArgumentException("prefetch must not be negative, was " + prefetch);
        positive("leaseDuration", leaseDuration);
        positive("heartbeatInterval", heartbeatInterval);
        // Heartbeats are scheduled in whole milliseconds, and a lease must outlive a few of them and a slow round trip.
        if (leaseDuration.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException(
                    "leaseDuration must be at least 1s, was " + Durations.format(leaseDuration));
        }
        if (heartbeatInterval.toMillis() < 1) {
            // raw: under a millisecond, the short form would read 0s
            throw new IllegalArgumentException("heartbeatInterval must be at least 1ms, was " + heartbeatInterval);
        }
        if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval " + Durations.format(heartbeatInterval)
                    + " must be shorter than leaseDuration " + Durations.format(leaseDuration));
        }
        positive("fetchWait", fetchWait);
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative");
        positive("unknownTaskDelay", unknownTaskDelay);
        if (unknownTaskGrace.isNegative()) throw new IllegalArgumentException("unknownTaskGrace must not be negative");
        if (workerId == null || workerId.isBlank()) throw new IllegalArgumentException("workerId must not be blank");
        if (hardTimeoutGrace == null || hardTimeoutGrace.isNegative()) {
            throw new IllegalArgumentException("hardTimeoutGrace must not be negative, was " + hardTimeoutGrace);
        }
        isolated = isolated == null ? IsolatedOptions.NONE : isolated;
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero())
            throw new IllegalArgumentException(name + " must be positive, was " + d);
    }

    public boolean weighted() {
        return !weights.isEmpty();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        var b = new Builder();
        b.queues = queues;
        b.weights = new LinkedHashMap<>(weights);
        b.concurrency = concurrency;
        b.prefetch = prefetch;
        b.leaseDuration = leaseDuration;
        b.heartbeatInterval = heartbeatInterval;
        b.fetchWait = fetchWait;
        b.shutdownGrace = shutdownGrace;
        b.unknownTaskGrace = unknownTaskGrace;
        b.unknownTaskDelay = unknownTaskDelay;
        b.platformThreads = platformThreads;
        b.maintenance = maintenance;
        b.workerId = workerId;
        b.hardTimeoutGrace = hardTimeoutGrace;
        b.isolatedTasks = isolated.tasks();
        b.isolatedChildren = isolated.children();
        b.isolatedJvmArgs = isolated.jvmArgs();
        return b;
    }

    /** A worker id that tells an operator where it runs: host, pid and a short random suffix. */
    public static String defaultWorkerId() {
        return HostName.get() + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    public static final class Builder {
        private List<String> queues = List.of("default");
        private Map<String, Integer> weights = new LinkedHashMap<>();
        private int concurrency = 10;
        private Integer prefetch;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private Duration heartbeatInterval;
        private Duration fetchWait = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(25);
        private Duration unknownTaskGrace = Duration.ofMinutes(5);
        private Duration unknownTaskDelay = Duration.ofSeconds(10);
        private boolean platformThreads;
        private boolean maintenance = true;
        private String workerId;
        private Duration hardTimeoutGrace = Duration.ofSeconds(10);
        private java.util.Set<String> isolatedTasks = java.util.Set.of();
        private Integer isolatedChildren;
        private List<String> isolatedJvmArgs = IsolatedOptions.DEFAULT_JVM_ARGS;

        private Builder() {}

        public Builder queues(String... q) {
            queues = List.of(q);
            weights.clear();
            return this;
        }

        public Builder queues(List<String> q) {
            queues = List.copyOf(q);
            weights.clear();
            return this;
        }
        /** Weighted reading: {@code weighted(Map.of("high", 6, "low", 1))}. */
        public Builder weighted(Map<String, Integer> w) {
            queues = List.copyOf(w.keySet());
            weights = new LinkedHashMap<>(w);
            return this;
        }

        public Builder concurrency(int n) {
            concurrency = n;
            return this;
        }

        public Builder prefetch(int n) {
            prefetch = n;
            return this;
        }

        public Builder leaseDuration(Duration d) {
            leaseDuration = d;
            return this;
        }

        public Builder heartbeatInterval(Duration d) {
            heartbeatInterval = d;
            return this;
        }

        public Builder fetchWait(Duration d) {
            fetchWait = d;
            return this;
        }

        public Builder shutdownGrace(Duration d) {
            shutdownGrace = d;
            return this;
        }

        public Builder unknownTaskGrace(Duration d) {
            unknownTaskGrace = d;
            return this;
        }

        public Builder unknownTaskDelay(Duration d) {
            unknownTaskDelay = d;
            return this;
        }

        public Builder platformThreads(boolean b) {
            platformThreads = b;
            return this;
        }

        public Builder maintenance(boolean b) {
            maintenance = b;
            return this;
        }

        public Builder workerId(String id) {
            workerId = id;
            return this;
        }

        public Builder hardTimeoutGrace(Duration d) {
            hardTimeoutGrace = d;
            return this;
        }
        /** Runs these tasks in child JVMs that a timeout kills: classes with a public no-argument constructor, or built-ins. */
        public Builder isolated(String... tasks) {
            isolatedTasks = java.util.Set.of(tasks);
            return this;
        }

        public Builder isolated(java.util.Collection<String> tasks) {
            isolatedTasks = java.util.Set.copyOf(tasks);
            return this;
        }
        /** How many child JVMs at most (default: the concurrency or the CPU count, whichever is smaller). */
        public Builder isolatedChildren(int n) {
            isolatedChildren = n;
            return this;
        }
        /** The children's JVM options (default {@link IsolatedOptions#DEFAULT_JVM_ARGS}). */
        public Builder isolatedJvmArgs(List<String> args) {
            isolatedJvmArgs = List.copyOf(args);
            return this;
        }

        public WorkerOptions build() {
            Duration hb = heartbeatInterval != null ? heartbeatInterval : leaseDuration.dividedBy(3);
            int pf = prefetch != null ? prefetch : Math.min(50, Math.max(1, concurrency / 10));
            return new WorkerOptions(
                    queues,
                    weights,
                    concurrency,
                    pf,
                    leaseDuration,
                    hb,
                    fetchWait,
                    shutdownGrace,
                    unknownTaskGrace,
                    unknownTaskDelay,
                    platformThreads,
                    maintenance,
                    workerId != null ? workerId : defaultWorkerId(),
                    hardTimeoutGrace,
                    new IsolatedOptions(
                            isolatedTasks,
                            isolatedChildren != null
                                    ? isolatedChildren
                                    : Math.max(
                                            1,
                                            Math.min(
                                                    concurrency,
                                                    Runtime.getRuntime().availableProcessors())),
                            isolatedJvmArgs));
        }
    }
}
