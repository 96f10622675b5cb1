package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.FlowConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/** Flow control end to end on PostgreSQL; a fresh schema per test. */
class PostgresFlowConformanceTest extends FlowConformanceSuite {
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
