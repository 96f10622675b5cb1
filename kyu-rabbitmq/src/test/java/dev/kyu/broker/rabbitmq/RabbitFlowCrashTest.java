package dev.kyu.broker.rabbitmq;

import dev.kyu.testkit.FlowCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The flow crash test on the RabbitMQ engine: a worker JVM killed while it holds a limit's slots; both JVMs on one node, store file and prefix. */
class RabbitFlowCrashTest extends FlowCrashScenario {
    @RegisterExtension
    final RabbitCrashQueues queues = new RabbitCrashQueues();

    @Override
    protected String brokerUrl() {
        return queues.url();
    }
}
