package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.WorkflowConformanceSuite;
import java.sql.Connection;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/** Workflows end to end on PostgreSQL, enqueued in the caller's transaction too; a fresh schema per test. */
class PostgresWorkflowConformanceTest extends WorkflowConformanceSuite {
    private String schema;

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        PostgresBroker b = TestPostgres.open(TestPostgres.freshUrl());
        schema = b.schema();
        return b;
    }

    @Override
    protected Connection openTransaction() throws Exception {
        Connection c = TestPostgres.connect();
        c.setAutoCommit(false);
        return c;
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) TestPostgres.dropSchema(schema);
    }
}
