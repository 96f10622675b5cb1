package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The real client and worker, end to end, on a single real Redis server. */
class RedisWorkerConformanceTest extends WorkerConformanceSuite {
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
}
