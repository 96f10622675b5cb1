package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Periodic schedules on PostgreSQL: separate brokers (connection pools) on one fresh schema. */
class PostgresScheduleConformanceTest extends ScheduleConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected List<Broker> openConnections(int n) throws Exception {
        String url = pg.freshUrl();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++) {
            out.add(pg.open(url));
        }
        return out;
    }
}
