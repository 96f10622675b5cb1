package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Small helpers shared by the engine's own tests. */
final class SqliteTesting {
    private SqliteTesting() {}

    static SqliteBroker open(Path file, Clock clock) {
        return SqliteBroker.open(new BrokerConfig("sqlite:" + file, clock, null));
    }

    static SqliteBroker open(Path file, Clock clock, String query) {
        return SqliteBroker.open(new BrokerConfig("sqlite:" + file + "?" + query, clock, null));
    }

    static String enqueue(SqliteBroker b, String queue) {
        return enqueue(b, NewJob.builder(JobIds.next(), "t").queue(queue).build());
    }

    static String enqueue(SqliteBroker b, NewJob job) {
        return b.jobsEnqueue(EnqueueRequest.of(List.of(job))).get(0).id();
    }

    static FetchRequest fetch(String worker, int limit, String... queues) {
        return new FetchRequest(worker, List.of(queues), limit, Duration.ofSeconds(30), Duration.ZERO);
    }

    /** A fetch blocked in a thread of its own; {@code result} is set when it returns. */
    record BackgroundFetch(Thread thread, AtomicReference<List<Job>> result) {
        boolean blocked() {
            Thread.State s = thread.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        }
    }

    /** Fetches one job of {@code queue} as worker "w", waiting up to {@code wait}, in a thread of its own. */
    static BackgroundFetch fetchInBackground(SqliteBroker b, String queue, Duration wait) {
        var result = new AtomicReference<List<Job>>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(b.jobsFetch(new FetchRequest("w", List.of(queue), 1, Duration.ofMinutes(1), wait)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new BackgroundFetch(t, result);
    }

    static Connection raw(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
