package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.BrokerConformanceSuite;
import dev.kyu.testkit.RawJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.UUID;

/** The sqlite engine against the shared conformance suite: a fresh file per test, opened by URL as users open it. */
class SqliteConformanceTest extends BrokerConformanceSuite {
    static Path freshFile() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "conformance-dbs"));
        return dir.resolve(UUID.randomUUID() + ".db").toAbsolutePath();
    }

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return Brokers.open(BrokerConfig.of("sqlite:" + freshFile()).withClock(clock));
    }

    /** A plain JDBC connection to the broker's file, as an application holds one. */
    @Override
    protected Connection openTransaction() throws Exception {
        Connection c = SqliteTesting.raw(Path.of(((SqliteBroker) broker).path()));
        c.createStatement().execute("PRAGMA busy_timeout = 5000");
        c.setAutoCommit(false);
        return c;
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return CorruptRows.plant(Path.of(((SqliteBroker) broker).path()), job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) throws Exception {
        return CorruptRows.queued(Path.of(((SqliteBroker) broker).path()), queue);
    }
}
