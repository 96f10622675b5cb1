package dev.kyu.testkit;

import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.broker.memory.MemoryCorruption;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import java.time.Clock;
import java.util.Map;

class MemoryWorkerConformanceTest extends WorkerConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(new BrokerConfig("memory:", clock, Map.of()));
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return MemoryCorruption.plant((MemoryBroker) broker, job);
    }
}
