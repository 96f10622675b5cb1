package dev.kyu.broker.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link RedisBrokerContract} on a single server. */
class RedisBrokerTest extends RedisBrokerContract {
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
    String freshUrl() {
        redis.flush();
        return redis.url();
    }
}
