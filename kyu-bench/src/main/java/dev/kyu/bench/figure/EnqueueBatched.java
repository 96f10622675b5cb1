package dev.kyu.bench.figure;

import dev.kyu.bench.subject.Subject;
import java.util.List;

/** Enqueue throughput in batches of {@code batchSize} jobs per call, from one thread; no worker runs. */
public final class EnqueueBatched implements Measurement {
    static final int WARM_UP_BATCHES = 10;

    @Override
    public String name() {
        return "enqueue";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) {
        String queue = Queues.name("enqb", run);
        try {
            subject.hold(queue);
            // Warm the connection and the JIT, as in a producer that has been up a while.
            for (int i = 0; i < WARM_UP_BATCHES; i++) subject.enqueueBatch(queue, config.batchSize());
            int n = config.jobs();
            long t0 = System.nanoTime();
            for (int done = 0; done < n; done += config.batchSize())
                subject.enqueueBatch(queue, Math.min(config.batchSize(), n - done));
            double seconds = (System.nanoTime() - t0) / 1e9;
            return List.of(Sample.of("enqueue-batched", "jobs/s", n / seconds, n));
        } finally {
            subject.cleanup(queue);
        }
    }
}
