package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.BrokerConformanceSuite;
import dev.kyu.testkit.RawJob;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared broker conformance suite on a local three-node Redis Cluster. */
class RedisClusterConformanceTest extends BrokerConformanceSuite {
    @RegisterExtension
    static final RedisExtension cluster = RedisExtension.cluster();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(cluster.freshUrl());
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) {
        return RedisCorruption.plant((RedisBroker) broker, job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return RedisCorruption.insert((RedisBroker) broker, queue);
    }
}
