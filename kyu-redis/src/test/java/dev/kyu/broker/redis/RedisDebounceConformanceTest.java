package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.DebounceConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Debounce and throttle through the real client on a single real Redis server (its server's clock). */
class RedisDebounceConformanceTest extends DebounceConformanceSuite {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(redis.freshUrl());
    }
}
