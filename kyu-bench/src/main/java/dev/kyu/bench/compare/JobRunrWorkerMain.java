package dev.kyu.bench.compare;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

/**
 * A JobRunr background job server in a JVM of its own: {@code JDBC_URL QUEUE WORKERS RECORD_TIMES WAIT}.
 * With WAIT it connects but starts the server only when {@code GO} arrives on standard input (the drain's
 * release). Poll interval: the shortest the free edition accepts (see {@link #POLL}). Prints {@code READY};
 * stops on SIGTERM.
 */
public final class JobRunrWorkerMain {
    /**
     * JobRunr's documented free-edition minimum poll interval is 5 s (shorter ones are a Pro feature);
     * {@code -Dkyu.bench.jobrunr.poll=PT1S} on the harness tries another.
     */
    static final Duration POLL = Duration.parse(System.getProperty("kyu.bench.jobrunr.poll", "PT5S"));

    private JobRunrWorkerMain() {}

    public static void main(String[] args) throws Exception {
        String url = args[0], queue = args[1];
        int workers = Integer.parseInt(args[2]);
        boolean record = Boolean.parseBoolean(args[3]);
        boolean wait = Boolean.parseBoolean(args[4]);
        var ds = Pg.pool(url, workers + 4);
        if (record) JobRunrJobs.recorder = new TimesRecorder(ds, queue);
        var config = BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                .andPollInterval(POLL)
                .andWorkerCount(workers);
        JobRunr.configure()
                .useStorageProvider(SqlStorageProviderFactory.using(ds))
                .useBackgroundJobServer(config, false)
                .initialize();
        BackgroundJobServer server = JobRunr.getBackgroundJobServer();
        if (!wait) server.start();
        var done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // JobRunr's own shutdown hook stops the server too and still needs the pool: leave it open.
            server.stop();
            if (JobRunrJobs.recorder != null) JobRunrJobs.recorder.close();
            done.countDown();
        }));
        System.out.println("READY");
        System.out.flush();
        if (wait) {
            var in = new BufferedReader(new InputStreamReader(System.in));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("GO")) {
                    server.start();
                    break;
                }
            }
        }
        done.await();
    }
}
