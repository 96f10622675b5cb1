package dev.kyu.ops;

import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * A worker's own meters (names in docs/metrics.md): its slots, the jobs it leased ahead, its failed
 * fetches, the age of its registry heartbeat and whether it is ready. They describe this process only, so
 * across processes they are summed ({@code sum(kyu_worker_free_slots)}), unlike the broker gauges.
 */
public final class WorkerMeters {
    public static final String CONCURRENCY = "kyu.worker.concurrency";
    public static final String BUSY = "kyu.worker.busy.slots";
    public static final String FREE = "kyu.worker.free.slots";
    public static final String PREFETCHED = "kyu.worker.prefetched.jobs";
    public static final String FETCH_ERRORS = "kyu.worker.fetch.errors";
    public static final String HEARTBEAT_AGE = "kyu.worker.heartbeat.age";
    public static final String READY = "kyu.worker.ready";

    private WorkerMeters() {}

    public static void bind(Worker worker, MeterRegistry registry) {
        gauge(registry, worker, CONCURRENCY, "Job slots of this worker", WorkerStatus::concurrency);
        gauge(registry, worker, BUSY, "Jobs running on this worker", WorkerStatus::busy);
        gauge(registry, worker, FREE, "Free job slots of this worker", WorkerStatus::free);
        gauge(
                registry,
                worker,
                PREFETCHED,
                "Jobs leased by this worker that have not started",
                WorkerStatus::prefetched);
        gauge(
                registry,
                worker,
                READY,
                "1 when this worker runs and its last fetch reached the broker",
                s -> s.ready() ? 1 : 0);
        Gauge.builder(HEARTBEAT_AGE, worker, w -> {
                    Duration d = w.status().sinceHeartbeat();
                    return d == null ? Double.NaN : d.toMillis() / 1000.0;
                })
                .description("Time since the broker last took this worker's registry heartbeat")
                .baseUnit("seconds")
                .register(registry);
        FunctionCounter.builder(FETCH_ERRORS, worker, w -> w.status().fetchErrors())
                .description("Fetches of this worker that failed")
                .register(registry);
    }

    private static void gauge(
            MeterRegistry registry, Worker worker, String name, String description, ToDoubleFunction<WorkerStatus> f) {
        Gauge.builder(name, worker, w -> f.applyAsDouble(w.status()))
                .description(description)
                .register(registry);
    }
}
