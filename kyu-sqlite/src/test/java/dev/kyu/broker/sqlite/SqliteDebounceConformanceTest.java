package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.DebounceConformanceSuite;
import java.time.Clock;

/** Debounce and throttle through the real client on the sqlite engine, with a clock moved by hand. */
class SqliteDebounceConformanceTest extends DebounceConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return Brokers.open(
                BrokerConfig.of("sqlite:" + SqliteConformanceTest.freshFile()).withClock(clock));
    }
}
