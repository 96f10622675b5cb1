package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.RawJob;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real client and worker, end to end, on a single real Redis server. */
class RedisWorkerConformanceTest extends WorkerConformanceSuite {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(redis.freshUrl());
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) {
        return RedisCorruption.plant((RedisBroker) broker, job);
    }
}
