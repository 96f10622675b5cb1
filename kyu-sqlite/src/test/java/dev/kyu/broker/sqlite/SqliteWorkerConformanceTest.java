package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.RawJob;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;

/** The real client and worker, end to end, on the sqlite engine. */
class SqliteWorkerConformanceTest extends WorkerConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return Brokers.open(
                BrokerConfig.of("sqlite:" + SqliteConformanceTest.freshFile()).withClock(clock));
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return CorruptRows.plant(java.nio.file.Path.of(((SqliteBroker) broker).path()), job);
    }
}
