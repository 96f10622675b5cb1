package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.DebounceConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Debounce and throttle through the real client on PostgreSQL (its server's clock); a fresh schema per test. */
class PostgresDebounceConformanceTest extends DebounceConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return pg.openFresh();
    }
}
