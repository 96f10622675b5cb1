package dev.kyu.broker.rabbitmq;

import dev.kyu.broker.sqlite.CorruptRows;
import dev.kyu.spi.Broker;
import dev.kyu.testkit.RawJob;
import dev.kyu.testkit.WorkerConformanceSuite;
import java.time.Clock;

/** The RabbitMQ engine (SQLite store) against the shared WorkerConformanceSuite: a fresh store file and prefix per test. */
class RabbitWorkerConformanceTest extends WorkerConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return RabbitTesting.open(clock);
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return CorruptRows.plant(((RabbitTesting.Cleaned) broker).store(), job);
    }
}
