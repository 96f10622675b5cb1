package dev.kyu.bench.figure;

import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.report.Stats;
import dev.kyu.bench.subject.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end latency: jobs enqueued one by one, {@code latencyGapMs} apart, onto idle workers; each job's
 * latency is the moment its task body began minus its stored enqueue time (one machine, one clock). Reports
 * p50, p90 and p99 of the run and, where the system stamps its leases, p50 and p99 of enqueue to lease: the
 * broker's share, the rest being the worker's wake-up and dispatch.
 */
public final class Latency implements Measurement {
    @Override
    public String name() {
        return "latency";
    }

    @Override
    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        String queue = Queues.name("lat", run);
        int n = config.latencyJobs();
        warmProducer(subject, Queues.name("lat-warm", run));
        try (WorkerHandle workers = subject.startWorkers(queue, config.concurrency(), true)) {
            long gap = config.latencyGapMs() * 1_000_000L;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * gap;
                // Paced against the start, so a slow enqueue does not push every later one back.
                while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime());
                subject.enqueueOne(queue);
            }
            Waiter.awaitFinished(subject, queue, n, System.nanoTime(), 120_000_000_000L);
            List<Subject.JobTimes> times = subject.times(queue);
            double[] ms =
                    Stats.sorted(times.stream().map(Subject.JobTimes::latencyMs).toList());
            var out = new ArrayList<>(List.of(
                    Sample.of("latency-p50", "ms", Stats.percentileOfSorted(ms, 50), n),
                    Sample.of("latency-p90", "ms", Stats.percentileOfSorted(ms, 90), n),
                    Sample.of("latency-p99", "ms", Stats.percentileOfSorted(ms, 99), n)));
            // The broker's share: enqueue to lease, where the system stamps its leases.
            List<Double> leased = times.stream()
                    .filter(Subject.JobTimes::leased)
                    .map(Subject.JobTimes::leaseMs)
                    .toList();
            if (!leased.isEmpty()) {
                double[] l = Stats.sorted(leased);
                out.add(Sample.of("to-lease-p50", "ms", Stats.percentileOfSorted(l, 50), n));
                out.add(Sample.of("to-lease-p99", "ms", Stats.percentileOfSorted(l, 99), n));
            }
            return out;
        } finally {
            subject.cleanup(queue);
        }
    }

    /**
     * Latency runs first in a pass, when the producer's enqueue path has not run yet: compile it first, as
     * in a producer that has been up a while, with jobs on a queue no worker reads (deleted afterwards).
     */
    private static void warmProducer(Subject subject, String queue) {
        try {
            subject.hold(queue);
            for (int i = 0; i < EnqueueSingle.WARM_UP; i++) subject.enqueueOne(queue);
        } finally {
            subject.cleanup(queue);
        }
    }
}
