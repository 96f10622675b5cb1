package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.WorkflowConformanceSuite;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workflows end to end on a local three-node Redis Cluster, where a workflow over several queues is stored
 * through one batch record ({@link PendingEnqueues}).
 */
class RedisClusterWorkflowConformanceTest extends WorkflowConformanceSuite {
    @RegisterExtension
    static final RedisExtension cluster = RedisExtension.cluster();

    @Override
    protected Broker openBroker(Clock clock) {
        return Brokers.open(cluster.freshUrl());
    }
}
