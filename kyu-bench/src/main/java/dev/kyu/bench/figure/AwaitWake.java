package dev.kyu.bench.figure;

import dev.kyu.bench.report.Stats;
import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.bench.subject.Subject;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How soon {@code jobAwait} (what {@code JobHandle.await} and {@code kyu enqueue --wait} call) returns after
 * the job ends, Kyu's alone. A second broker on the same deployment stands in for the worker's process: it
 * leases a job and, once an await of it on the subject's broker has had 20 ms to settle into its wait,
 * completes it. The figure runs from the start of that completion call (so it includes the commit) to the
 * await's return; jobs are awaited one at a time.
 */
public final class AwaitWake implements Measurement {
    static final int JOBS = 200;
    private static final int WARM = 20;
    private static final long SETTLE_NS = Duration.ofMillis(20).toNanos();

    @Override
    public String name() {
        return "await";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        if (!(subject instanceof KyuSubject kyu)) return List.of();
        String queue = Queues.name("await", run);
        var ms = new ArrayList<Double>();
        try (Broker worker = Brokers.open(kyu.url())) {
            Broker waiter = kyu.broker();
            for (int i = 0; i < WARM + JOBS; i++) {
                double wake = once(waiter, worker, queue);
                if (i >= WARM) ms.add(wake);
            }
        } finally {
            subject.cleanup(queue);
        }
        double[] sorted = Stats.sorted(ms);
        return List.of(
                Sample.of("await-wake-p50", "ms", Stats.percentileOfSorted(sorted, 50), JOBS),
                Sample.of("await-wake-p99", "ms", Stats.percentileOfSorted(sorted, 99), JOBS));
    }

    private static double once(Broker waiter, Broker worker, String queue) throws InterruptedException {
        String id = JobIds.next();
        worker.jobsEnqueue(EnqueueRequest.of(List.of(
                NewJob.builder(id, "bench.await").queue(queue).args("{}").build())));
        List<Job> got = worker.jobsFetch(
                new FetchRequest("bench-await", List.of(queue), 1, Duration.ofMinutes(1), Duration.ofSeconds(30)));
        if (got.isEmpty()) throw new IllegalStateException("the await figure's job was not fetched within 30 s");
        var returned = new AtomicLong();
        Thread awaiting = Thread.ofPlatform().name("bench-await").start(() -> {
            try {
                waiter.jobAwait(id, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.set(System.nanoTime());
        });
        LockSupport.parkNanos(SETTLE_NS);
        long start = System.nanoTime();
        worker.jobsComplete(List.of(new Completion(got.get(0).lease(), new Outcome.Succeeded("null"))));
        awaiting.join();
        return (returned.get() - start) / 1e6;
    }
}
