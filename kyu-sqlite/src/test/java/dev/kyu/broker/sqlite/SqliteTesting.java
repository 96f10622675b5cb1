package dev.kyu.broker.sqlite;

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

    static Connection raw(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }
}
