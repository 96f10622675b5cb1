package dev.kyu.broker.redis;

import dev.kyu.testkit.FlowCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The flow crash test on Redis: a worker JVM killed while it holds a limit's slots. */
class RedisFlowCrashTest extends FlowCrashScenario {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected String brokerUrl() {
        return redis.url();
    }
}
