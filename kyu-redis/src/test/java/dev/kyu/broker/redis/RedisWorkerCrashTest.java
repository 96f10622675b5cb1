package dev.kyu.broker.redis;

import dev.kyu.testkit.WorkerCrashScenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The crash test on Redis: a worker JVM killed mid-run, another finishes every job. */
class RedisWorkerCrashTest extends WorkerCrashScenario {
    static TestRedis redis;

    @BeforeAll
    static void startServer() throws Exception {
        redis = TestRedis.start();
        redis.flush();
    }

    @AfterAll
    static void stopServer() throws Exception {
        redis.close();
    }

    @Override
    protected String brokerUrl() {
        return redis.url();
    }
}
