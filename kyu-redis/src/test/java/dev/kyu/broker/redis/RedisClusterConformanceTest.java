package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.BrokerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared broker conformance suite on a local three-node Redis Cluster. */
class RedisClusterConformanceTest extends BrokerConformanceSuite {
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Override
    protected Broker openBroker(Clock clock) {
        cluster.flush();
        return Brokers.open(cluster.url());
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return RedisCorruption.insert((RedisBroker) broker, queue);
    }
}
