package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Periodic schedules on PostgreSQL: separate brokers (connection pools) on one fresh schema. */
class PostgresScheduleConformanceTest extends ScheduleConformanceSuite {
    private String schema;

    @Override
    protected List<Broker> openConnections(int n) throws Exception {
        String url = TestPostgres.freshUrl();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++) {
            PostgresBroker b = TestPostgres.open(url);
            schema = b.schema();
            out.add(b);
        }
        return out;
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) TestPostgres.dropSchema(schema);
    }
}
