package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.FlowConformanceSuite;
import java.time.Clock;

/** Flow control end to end on the sqlite engine. */
class SqliteFlowConformanceTest extends FlowConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return Brokers.open(
                BrokerConfig.of("sqlite:" + SqliteConformanceTest.freshFile()).withClock(clock));
    }
}
