package dev.kyu.testkit;

import dev.kyu.Kyu;
import dev.kyu.job.Durations;
import dev.kyu.testkit.faults.RunHistory;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A bare worker process for crash and shutdown tests of any engine, started by {@link WorkerProcess}:
 * {@code --broker URL [--queues a,b] [--concurrency N] [--lease 2s] [--grace 1s] [--unknown-grace 5m]
 * [--history FILE --name NAME]}, built-in tasks only, plus the fault suite's recording task when
 * {@code --history} names its file ({@link RunHistory}). It stops gracefully on SIGTERM, like {@code kyu worker}.
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--"))
                throw new IllegalArgumentException("expected --option value pairs, got " + Arrays.toString(args));
            opts.put(args[i].substring(2), args[i + 1]);
        }
        String url = opts.get("broker");
        if (url == null) throw new IllegalArgumentException("--broker URL is required");
        var options = WorkerOptions.builder()
                .queues(opts.getOrDefault("queues", "default").split(","))
                .concurrency(Integer.parseInt(opts.getOrDefault("concurrency", "10")))
                .leaseDuration(Durations.parse(opts.getOrDefault("lease", "30s")))
                .shutdownGrace(Durations.parse(opts.getOrDefault("grace", "25s")))
                .unknownTaskGrace(Durations.parse(opts.getOrDefault("unknown-grace", "5m")))
                .build();
        Kyu kyu = Kyu.connect(url);
        String history = opts.get("history");
        if (history != null) kyu.register(RunHistory.task(Path.of(history), opts.getOrDefault("name", "worker")));
        Worker worker = kyu.worker(options).start();
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            kyu.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
