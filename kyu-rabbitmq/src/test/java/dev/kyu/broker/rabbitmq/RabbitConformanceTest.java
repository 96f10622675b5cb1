package dev.kyu.broker.rabbitmq;

import dev.kyu.broker.sqlite.CorruptRows;
import dev.kyu.spi.Broker;
import dev.kyu.testkit.BrokerConformanceSuite;
import dev.kyu.testkit.RawJob;
import java.sql.Connection;
import java.time.Clock;

/** The RabbitMQ engine (SQLite store) against the shared BrokerConformanceSuite: a fresh store file and prefix per test. */
class RabbitConformanceTest extends BrokerConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return RabbitTesting.open(clock);
    }

    @Override
    protected Connection openTransaction() throws Exception {
        return RabbitTesting.openTransaction(broker);
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return CorruptRows.plant(((RabbitTesting.Cleaned) broker).store(), job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) throws Exception {
        return CorruptRows.queued(((RabbitTesting.Cleaned) broker).store(), queue);
    }
}
