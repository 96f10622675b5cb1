package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/** The real client and worker, end to end, on PostgreSQL; a fresh schema per test. */
class PostgresWorkerConformanceTest extends WorkerConformanceSuite {
    private String schema;

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        PostgresBroker b = TestPostgres.open(TestPostgres.freshUrl());
        schema = b.schema();
        return b;
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) TestPostgres.dropSchema(schema);
    }
}
