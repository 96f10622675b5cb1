package dev.kyu.bench;

import dev.kyu.Kyu;
import dev.kyu.job.JobOptions;
import dev.kyu.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;

/**
 * Runs no-op jobs through a worker before it is measured, so the JIT has compiled the fetch, run and
 * complete paths as it has in a worker that has been up for a while: a fresh JVM spends much of its
 * first seconds compiling, which a benchmark of a few seconds would otherwise charge to every job. The
 * jobs go through a queue of their own ({@code <queue>-warmup}) and are deleted afterwards.
 */
public final class WarmUp {
    private static final int BATCH = 1000;

    private WarmUp() {}

    public static void run(Kyu kyu, String queue, int concurrency, int jobs) throws InterruptedException {
        if (jobs <= 0) return;
        String warm = queue + "-warmup";
        var ids = new ArrayList<String>(jobs);
        Worker worker = kyu.worker(BenchWorkerMain.options(warm, concurrency)).start();
        try {
            for (int done = 0; done < jobs; done += BATCH) {
                int n = Math.min(BATCH, jobs - done);
                for (var h : kyu.enqueueJsonAll(
                        "kyu.noop",
                        Collections.nCopies(n, "null"),
                        JobOptions.builder().queue(warm).build())) {
                    ids.add(h.id());
                }
            }
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (QueueJobs.finished(kyu, warm) < jobs) {
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException("warm-up of " + jobs + " jobs did not finish within 300 s");
                Thread.sleep(20);
            }
        } finally {
            worker.close();
        }
        QueueJobs.delete(kyu, ids);
    }
}
