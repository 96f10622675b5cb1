package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.FlowConformanceSuite;
import java.time.Clock;

/** The RabbitMQ engine (SQLite store) against the shared FlowConformanceSuite: a fresh store file and prefix per test. */
class RabbitFlowConformanceTest extends FlowConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return RabbitTesting.open(clock);
    }
}
