package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.BrokerConformanceSuite;
import dev.kyu.testkit.RawJob;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared broker conformance suite as an ACL user with the rights docs/brokers/redis.md gives: every verb
 * works with keys under the prefix only and without the dangerous commands (CONFIG, KEYS, FLUSHDB…).
 */
class RedisAclConformanceTest extends BrokerConformanceSuite {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.confinedUser();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(redis.freshUrl());
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
