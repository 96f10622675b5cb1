package dev.kyu.bench.figure;

import dev.kyu.bench.subject.Subject;
import java.util.List;

/** Enqueue throughput, one job per call, synchronously, from one thread; no worker runs. */
public final class EnqueueSingle implements Measurement {
    @Override
    public String name() {
        return "enqueue";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) {
        String queue = Queues.name("enq1", run);
        try {
            subject.hold(queue);
            for (int i = 0; i < Math.min(200, config.singleJobs()); i++) subject.enqueueOne(queue); // warm the connection
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
