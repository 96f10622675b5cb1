package dev.kyu.bench.figure;

import dev.kyu.bench.proc.ProcStats;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.subject.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drain throughput: N no-op jobs stored in a held (paused) queue, workers started and idle; the clock
 * starts at release and stops when the N-th job has finished, read from the broker's counts. The same
 * run gives the worker's peak RSS (VmHWM, over the worker JVM's life) and the CPU seconds per 1,000 jobs
 * used by the worker and the broker server during the drain. A worker of several processes (a prefork
 * pool) is charged for all of them: their CPU, and the sum of their peak RSS (an upper bound, since forked
 * processes share pages).
 */
public final class Drain implements Measurement {
    @Override
    public String name() {
        return "drain";
    }

    @Override
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        String queue = Queues.name("drain", run);
        int n = config.jobs();
        try {
            subject.hold(queue);
            for (int done = 0; done < n; done += config.batchSize())
                subject.enqueueBatch(queue, Math.min(config.batchSize(), n - done));
            try (WorkerHandle workers = subject.startWorkers(queue, config.concurrency(), false)) {
                List<Long> workerPids = workers.pids();
                var pids = new ArrayList<Long>(subject.serverPids());
                pids.addAll(workerPids);
                Map<Long, Double> cpu0 = ProcStats.cpuSnapshot(pids);
                long t0 = System.nanoTime();
                subject.release(queue);
                long t1 = Waiter.awaitFinished(subject, queue, n, t0, Math.max(120, n / 200) * 1_000_000_000L);
                Map<Long, Double> cpu1 = ProcStats.cpuSnapshot(pids);
                double rss = 0;
                for (long pid : workerPids) rss += Math.max(0, ProcStats.peakRssMiB(pid));
                subject.confirmFinished(queue, n);
                Subject.Progress p = subject.progress(queue);
                if (p.failed() > 0) System.err.println("drain run " + run + ": " + p.failed() + " job(s) FAILED");
                var out = new ArrayList<Sample>();
                out.add(Sample.of("drain", "jobs/s", n / ((t1 - t0) / 1e9), n));
                if (rss > 0) out.add(Sample.of("worker-peak-rss", "MiB", rss, n));
                double cpu = ProcStats.cpuBetween(cpu0, cpu1);
                if (cpu >= 0 && !cpu1.isEmpty()) out.add(Sample.of("cpu-per-1000-jobs", "cpu-s", cpu / n * 1000.0, n));
                if (!workers.inProcess() && pids.size() > workerPids.size()) {
                    // The split tells whether the worker or the server is the one to make cheaper.
                    double worker = 0;
                    for (long pid : workerPids) worker += cpu1.getOrDefault(pid, 0.0) - cpu0.getOrDefault(pid, 0.0);
                    out.add(Sample.of("cpu-per-1000-jobs-worker", "cpu-s", worker / n * 1000.0, n));
                    out.add(Sample.of("cpu-per-1000-jobs-server", "cpu-s", (cpu - worker) / n * 1000.0, n));
                }
                return out;
            }
        } finally {
            subject.cleanup(queue);
        }
    }
}
