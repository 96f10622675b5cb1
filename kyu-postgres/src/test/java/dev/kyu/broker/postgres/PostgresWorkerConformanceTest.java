package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.RawJob;
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

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return PostgresConformanceTest.plant(((PostgresBroker) broker).schema(), job);
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) TestPostgres.dropSchema(schema);
    }
}
