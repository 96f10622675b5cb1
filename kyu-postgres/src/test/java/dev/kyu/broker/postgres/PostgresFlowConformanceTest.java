package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.FlowConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flow control end to end on PostgreSQL; a fresh schema per test. */
class PostgresFlowConformanceTest extends FlowConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return pg.openFresh();
    }
}
