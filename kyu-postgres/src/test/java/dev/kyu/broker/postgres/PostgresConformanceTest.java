package dev.kyu.broker.postgres;

import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.testkit.BrokerConformanceSuite;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;

/** The shared broker conformance suite against a real PostgreSQL, one fresh schema per test. */
class PostgresConformanceTest extends BrokerConformanceSuite {
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        PostgresBroker b = TestPostgres.open(TestPostgres.freshUrl());
        SCHEMAS.add(b.schema());
        return b;
    }

    /**
     * A row the schema admits but Kyu cannot read: its errors column is not JSON, and its meta is not a
     * JSON object (the schema's NOT NULL and uuid types rule out a missing task or a malformed id).
     */
    @Override
    protected String insertCorruptJob(Broker broker, String queue) throws Exception {
        String id = JobIds.next();
        String schema = ((PostgresBroker) broker).schema();
        try (Connection c = TestPostgres.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO \"" + schema + "\".kyu_jobs "
                     + "(id, task, queue, args, state, enqueued_at, scheduled_at, errors, meta) "
                     + "VALUES (?::uuid, 'corrupt.task', ?, '\u0001\u0002garbage{{{', 'QUEUED', now(), now(), 'not json [', '[1,2')")) {
            ps.setString(1, id);
            ps.setString(2, queue);
            ps.executeUpdate();
        }
        return id;
    }

    @AfterAll
    static void dropSchemas() {
        SCHEMAS.forEach(TestPostgres::dropSchema);
        SCHEMAS.clear();
    }
}
