package dev.kyu.bench.figure;

import dev.kyu.bench.subject.Subject;
import java.util.List;

/** Enqueue throughput, one job per call, synchronously, from one thread; no worker runs. */
public final class EnqueueSingle implements Measurement {
    static final int WARM_UP = 2000;

    @Override
    public String name() {
        return "enqueue";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) {
        String queue = Queues.name("enq1", run);
        try {
            subject.hold(queue);
            // Warm the connection and the JIT, as in a producer that has been up a while.
            for (int i = 0; i < WARM_UP; i++) subject.enqueueOne(queue);
            int n = config.singleJobs();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) subject.enqueueOne(queue);
            double seconds = (System.nanoTime() - t0) / 1e9;
            return List.of(Sample.of("enqueue-single", "jobs/s", n / seconds, n));
        } finally {
            subject.cleanup(queue);
        }
    }
}
