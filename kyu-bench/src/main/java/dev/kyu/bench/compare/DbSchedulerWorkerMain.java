package dev.kyu.bench.compare;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A db-scheduler worker in a JVM of its own: {@code JDBC_URL TASK THREADS RECORD_TIMES [WARMUP]}. Configured
 * for speed: lock-and-fetch (one UPDATE … RETURNING per poll), a 10 ms polling interval, up to four times
 * its thread count fetched per poll. Like Kyu's bench worker it first runs WARMUP no-op executions of a
 * task of its own (JIT warm-up), then prints {@code READY}; stops on SIGTERM.
 */
public final class DbSchedulerWorkerMain {
    private DbSchedulerWorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        String url = args[0], queue = args[1];
        int threads = Integer.parseInt(args[2]);
        boolean record = Boolean.parseBoolean(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        var ds = Pg.pool(url, threads + 4);
        var times = record ? new TimesRecorder(ds, queue) : null;
        var task = DbSchedulerSubject.task(queue, instance -> {
            if (times != null)
                times.started(Long.parseLong(
                        instance.getId().substring(0, instance.getId().indexOf('-'))));
        });
        var warmTask = DbSchedulerSubject.task(queue + "-warmup", instance -> {});
        Scheduler scheduler = Scheduler.create(ds, task, warmTask)
                .threads(threads)
                .pollingInterval(Duration.ofMillis(10))
                .pollUsingLockAndFetch(0.5, 4.0)
                .build();
        scheduler.start();
        if (warmup > 0) warmUp(ds, warmTask, warmup);
        var done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            scheduler.stop();
            if (times != null) times.close();
            ds.close();
            done.countDown();
        }));
        System.out.println("READY");
        System.out.flush();
        done.await();
    }

    private static void warmUp(
            com.zaxxer.hikari.HikariDataSource ds,
            com.github.kagkarlsson.scheduler.task.helper.OneTimeTask<Void> warmTask,
            int n)
            throws InterruptedException {
        var client = SchedulerClient.Builder.create(ds, warmTask).build();
        for (int done = 0; done < n; done += 1000) {
            var batch = new java.util.ArrayList<com.github.kagkarlsson.scheduler.task.TaskInstance<?>>();
            for (int i = done; i < Math.min(n, done + 1000); i++) batch.add(warmTask.instance("w" + i));
            client.scheduleBatch(batch, java.time.Instant.now());
        }
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (Pg.count(ds, "select count(*) from scheduled_tasks where task_name = ?", warmTask.getName()) > 0) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("db-scheduler warm-up did not finish within 300 s");
            Thread.sleep(20);
        }
    }
}
