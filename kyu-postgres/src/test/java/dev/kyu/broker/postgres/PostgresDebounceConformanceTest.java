package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.DebounceConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/** Debounce and throttle through the real client on PostgreSQL (its server's clock); a fresh schema per test. */
class PostgresDebounceConformanceTest extends DebounceConformanceSuite {
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
