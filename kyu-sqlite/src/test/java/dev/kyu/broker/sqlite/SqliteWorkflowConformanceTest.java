package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.WorkflowConformanceSuite;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;

/** Workflows end to end on the sqlite engine, enqueued in the caller's transaction too. */
class SqliteWorkflowConformanceTest extends WorkflowConformanceSuite {
    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return Brokers.open(
                BrokerConfig.of("sqlite:" + SqliteConformanceTest.freshFile()).withClock(clock));
    }

    @Override
    protected Connection openTransaction() throws Exception {
        Connection c = SqliteTesting.raw(Path.of(((SqliteBroker) broker).path()));
        c.createStatement().execute("PRAGMA busy_timeout = 5000");
        c.setAutoCommit(false);
        return c;
    }
}
