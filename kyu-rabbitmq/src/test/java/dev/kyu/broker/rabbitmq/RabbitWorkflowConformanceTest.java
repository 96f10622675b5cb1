package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.WorkflowConformanceSuite;
import java.sql.Connection;
import java.time.Clock;

/** The RabbitMQ engine (SQLite store) against the shared WorkflowConformanceSuite: a fresh store file and prefix per test. */
class RabbitWorkflowConformanceTest extends WorkflowConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return RabbitTesting.open(clock);
    }

    @Override
    protected Connection openTransaction() throws Exception {
        return RabbitTesting.openTransaction(broker);
    }
}
