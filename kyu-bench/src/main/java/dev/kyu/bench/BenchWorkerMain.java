package dev.kyu.bench;

import dev.kyu.Kyu;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.util.concurrent.CountDownLatch;

/**
 * A Kyu worker in a JVM of its own, started by the harness:
 * {@code --broker URL --queue Q --concurrency C [--warmup-jobs W]}. It has the built-in tasks and
 * {@link StampTask}'s tasks, first runs W no-op jobs through a worker on a queue of its own ({@link WarmUp}),
 * prints {@code READY} once its measured worker is started and idle, and stops gracefully on SIGTERM (the
 * harness closes it that way).
 */
public final class BenchWorkerMain {
    private BenchWorkerMain() {}

    /** The worker options every Kyu benchmark uses: library defaults but for the queue and concurrency. */
    public static WorkerOptions options(String queue, int concurrency) {
        return options(queue, concurrency, java.util.List.of());
    }

    /** As above, with the named tasks run in child JVMs (the isolated mode). */
    public static WorkerOptions options(String queue, int concurrency, java.util.List<String> isolated) {
        return WorkerOptions.builder()
                .queues(queue)
                .concurrency(concurrency)
                .isolated(isolated)
                .build();
    }

    public static void main(String[] args) throws InterruptedException {
        String broker = null, queue = null;
        int concurrency = 0;
        int warmup = 0;
        var isolated = new java.util.ArrayList<String>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--broker" -> broker = args[i + 1];
                case "--queue" -> queue = args[i + 1];
                case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
                case "--warmup-jobs" -> warmup = Integer.parseInt(args[i + 1]);
                case "--isolated" -> isolated.addAll(java.util.List.of(args[i + 1].split(",")));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (broker == null || queue == null || concurrency < 1) {
            System.err.println(
                    "usage: BenchWorkerMain --broker URL --queue Q --concurrency C [--warmup-jobs W] [--isolated TASK,...]");
            System.exit(2);
        }
        Kyu kyu = Kyu.connect(broker).register(StampTask.TASK).register(StampTask.FLOW_TASK);
        WarmUp.run(kyu, queue, concurrency, warmup);
        Worker worker = kyu.worker(options(queue, concurrency, isolated)).start();
        var done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            kyu.close();
            done.countDown();
        }));
        System.out.println("READY");
        System.out.flush();
        done.await();
    }
}
