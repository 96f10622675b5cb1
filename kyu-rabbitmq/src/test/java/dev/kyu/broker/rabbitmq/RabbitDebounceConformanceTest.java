package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.DebounceConformanceSuite;
import java.time.Clock;

/** The RabbitMQ engine (SQLite store) against the shared DebounceConformanceSuite: a fresh store file and prefix per test. */
class RabbitDebounceConformanceTest extends DebounceConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return RabbitTesting.open(clock);
    }
}
