package dev.kyu.testkit;

import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.broker.memory.MemoryCorruption;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import java.time.Clock;

/** The memory engine against the conformance suite, opened by URL as users open it. */
class MemoryConformanceTest extends BrokerConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(BrokerConfig.of("memory:").withClock(clock));
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return MemoryCorruption.plant((MemoryBroker) broker, job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return MemoryCorruption.insert(((MemoryBroker) broker), queue);
    }
}
