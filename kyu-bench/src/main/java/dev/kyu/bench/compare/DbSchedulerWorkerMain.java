package dev.kyu.bench.compare;

import com.github.kagkarlsson.scheduler.Scheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A db-scheduler worker in a JVM of its own: {@code JDBC_URL TASK THREADS RECORD_TIMES}. Configured for
 * speed: lock-and-fetch (one UPDATE … RETURNING per poll), a 10 ms polling interval, up to four times its
 * thread count fetched per poll. Prints {@code READY} once started; stops on SIGTERM.
 */
public final class DbSchedulerWorkerMain {
    private DbSchedulerWorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        String url = args[0], queue = args[1];
        int threads = Integer.parseInt(args[2]);
        boolean record = Boolean.parseBoolean(args[3]);
        var ds = Pg.pool(url, threads + 4);
        var times = record ? new TimesRecorder(ds, queue) : null;
        var task = DbSchedulerSubject.task(queue, instance -> {
            if (times != null) times.started(Long.parseLong(instance.getId().substring(0, instance.getId().indexOf('-'))));
        });
        Scheduler scheduler = Scheduler.create(ds, task)
                .threads(threads)
                .pollingInterval(Duration.ofMillis(10))
                .pollUsingLockAndFetch(0.5, 4.0)
                .build();
        scheduler.start();
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
}
