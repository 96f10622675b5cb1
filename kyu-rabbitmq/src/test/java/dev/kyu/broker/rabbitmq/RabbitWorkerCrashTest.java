package dev.kyu.broker.rabbitmq;

import dev.kyu.testkit.WorkerCrashScenario;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The crash test on the RabbitMQ engine: a worker JVM killed mid-run, another finishes every job; both JVMs on one node, store file and prefix. */
class RabbitWorkerCrashTest extends WorkerCrashScenario {
    @RegisterExtension
    final RabbitCrashQueues queues = new RabbitCrashQueues();

    @Override
    protected String brokerUrl() {
        return queues.url();
    }
}
