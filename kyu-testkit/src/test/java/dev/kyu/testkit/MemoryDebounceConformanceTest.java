package dev.kyu.testkit;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import java.time.Clock;
import java.util.Map;

class MemoryDebounceConformanceTest extends DebounceConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(new BrokerConfig("memory:", clock, Map.of()));
    }
}
