package dev.kyu.broker.redis;

import dev.kyu.testkit.WorkerCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The crash test on Redis: a worker JVM killed mid-run, another finishes every job. */
class RedisWorkerCrashTest extends WorkerCrashScenario {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected String brokerUrl() {
        return redis.url();
    }
}
