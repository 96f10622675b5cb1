package dev.kyu.broker.rabbitmq;

import dev.kyu.testkit.WorkflowCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The workflow crash test on the RabbitMQ engine: a worker JVM killed mid-workflow, another finishes every workflow; both JVMs on one node, store file and prefix. */
class RabbitWorkflowCrashTest extends WorkflowCrashScenario {
    @RegisterExtension
    final RabbitCrashQueues queues = new RabbitCrashQueues();

    @Override
    protected String brokerUrl() {
        return queues.url();
    }
}
