package dev.kyu.broker.redis;

import dev.kyu.testkit.WorkflowCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The workflow crash test on Redis: a worker JVM killed mid-workflow, another finishes them. */
class RedisWorkflowCrashTest extends WorkflowCrashScenario {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected String brokerUrl() {
        return redis.url();
    }
}
