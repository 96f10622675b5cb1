package dev.kyu.bench.figure;

import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.bench.subject.Subject;
import java.util.List;

/**
 * What the isolated mode costs per job: the same drain of {@code kyu.noop} jobs twice, once by a normal
 * worker and once by a worker that runs {@code kyu.noop} in its child JVMs, each reported as wall time per
 * job, with their difference. Every child is started (by a warm-up of the worker's own) before the clock
 * runs, so the figures are the steady cost of a round trip through a child, not its start. Kyu's alone.
 * N is a tenth of the drain's jobs (at least 200): a child round trip is far slower than a no-op.
 */
public final class Isolated implements Measurement {
    @Override
    public String name() {
        return "isolated";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        if (!(subject instanceof KyuSubject kyu)) return List.of();
        int n = Math.max(200, config.jobs() / 10);
        double normal = msPerJob(kyu, Queues.name("iso-normal", run), n, config.concurrency(), List.of());
        double isolated = msPerJob(kyu, Queues.name("iso-child", run), n, config.concurrency(), List.of("kyu.noop"));
        return List.of(
                Sample.of("normal-per-job", "ms", normal, n),
                Sample.of("isolated-per-job", "ms", isolated, n),
                Sample.of("isolated-overhead-per-job", "ms", isolated - normal, n));
    }

    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    private static double msPerJob(KyuSubject subject, String queue, int n, int concurrency, List<String> isolated)
            throws InterruptedException {
        try (WorkerHandle workers = subject.startWorkers(queue, concurrency, false, isolated)) {
            // Enough jobs at once to take every slot, so that every child the worker may keep is started now.
            int warm = 4 * concurrency;
            subject.enqueueBatch(queue, warm);
            Waiter.awaitFinished(subject, queue, warm, System.nanoTime(), 120_000_000_000L);
            subject.hold(queue);
            subject.enqueueBatch(queue, n);
            long t0 = System.nanoTime();
            subject.release(queue);
            long t1 = Waiter.awaitFinished(subject, queue, warm + n, t0, Math.max(120, n / 50) * 1_000_000_000L);
            Subject.Progress p = subject.progress(queue);
            if (p.failed() > 0) System.err.println("isolated " + queue + ": " + p.failed() + " job(s) FAILED");
            return (t1 - t0) / 1e6 / n;
        } finally {
            subject.cleanup(queue);
        }
    }
}
