package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.RawJob;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real client and worker, end to end, on PostgreSQL; a fresh schema per test. */
class PostgresWorkerConformanceTest extends WorkerConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return pg.openFresh();
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return PostgresConformanceTest.plant(pg, ((PostgresBroker) broker).schema(), job);
    }
}
