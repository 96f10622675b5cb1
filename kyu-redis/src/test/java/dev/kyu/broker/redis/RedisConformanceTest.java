package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.BrokerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared broker conformance suite on a single real Redis server. */
class RedisConformanceTest extends BrokerConformanceSuite {
    static TestRedis redis;

    @BeforeAll
    static void startServer() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        redis.close();
    }

    @Override
    protected Broker openBroker(Clock clock) {
        redis.flush();
        return Brokers.open(redis.url());
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return RedisCorruption.insert((RedisBroker) broker, queue);
    }
}
