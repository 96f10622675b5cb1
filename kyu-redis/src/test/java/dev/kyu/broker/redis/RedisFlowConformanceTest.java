package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.FlowConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flow control end to end on a single real Redis server. */
class RedisFlowConformanceTest extends FlowConformanceSuite {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(redis.freshUrl());
    }
}
